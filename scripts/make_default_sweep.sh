#!/usr/bin/env bash
# Writes the saved sweeps the training lesson (assets/lessons/10_training.json) shows and its
# tests read: the default sweep of `normviz train` (norms none, batch, layer, instance,
# group (G = 4), rms x batch 2, 4, 8, 16, 32; seed 1) for 5 epochs into
# assets/sweeps/default_sweep.csv and for 15 epochs into assets/sweeps/sweep_15_epochs.csv,
# at low priority. Takes about 4 to 6 and 13 to 15 minutes of CPU on 2 cores.
#   scripts/make_default_sweep.sh [PATH/TO/normviz] [5|15|all]   (default build/app/normviz all)
set -euo pipefail
cd "$(dirname "$0")/.."
normviz="${1:-build/app/normviz}"
which="${2:-all}"
mkdir -p assets/sweeps
if [[ "$which" == 5 || "$which" == all ]]; then
    nice -n 10 "$normviz" train --sweep --threads 2 --csv assets/sweeps/default_sweep.csv
fi
if [[ "$which" == 15 || "$which" == all ]]; then
    nice -n 10 "$normviz" train --sweep --threads 2 --epochs 15 --csv assets/sweeps/sweep_15_epochs.csv
fi
