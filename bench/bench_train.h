// `normviz bench --train`: training throughput of the training lab's network per norm.
#pragma once

namespace normviz::bench {

// Times SGD steps (forward, backward, update) of core/train's default network on batches of
// 32 generated shapes images for every norm (none, batch, layer, instance, group G = 4, rms)
// and prints '<norm> <images/s> images/s <ms> ms/step' per norm. `steps` timed steps after
// two untimed ones (0: 20). Returns a process exit code.
int bench_train(int threads, int steps);

}  // namespace normviz::bench
