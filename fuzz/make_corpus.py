#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into fuzz/corpus/<target>/ (each file under 4 KB).

Valid and malformed .npy files (built byte by byte, no numpy needed) for fuzz_npy, and
command lines (arguments separated by newlines) for fuzz_cli_arguments, and scene files
(app/model/scene_io.h) for fuzz_scene_json, settings files (app/model/settings.h) for fuzz_settings, and small .npz, .safetensors and torch.save-like
archives for fuzz_array_file. Re-running it
rewrites the same files. Usage: python3 fuzz/make_corpus.py
"""
import io
import json
import os
import struct
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def header_dict(descr, fortran, shape, extra=""):
    dims = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, %s}" % (
        descr, "True" if fortran else "False", dims, extra)


def npy(text, payload=b"", version=1, pad=True):
    """Magic, version, header length, header text (padded to 64 like numpy), payload."""
    prefix = 10 if version == 1 else 12
    raw = text.encode("latin-1")
    if pad:
        raw += b" " * ((64 - (prefix + len(raw) + 1) % 64) % 64) + b"\n"
    length = struct.pack("<H", len(raw)) if version == 1 else struct.pack("<I", len(raw))
    return b"\x93NUMPY" + bytes([version, 0]) + length + raw + payload


def values(fmt, count, scale=0.25):
    return b"".join(struct.pack(fmt, (i - count / 2) * scale) for i in range(count))


def ints(fmt, count):
    return b"".join(struct.pack(fmt, i - count // 2) for i in range(count))


def npy_corpus():
    q = lambda s: "'" + s + "'"
    c = {}
    c["v1_f4_le_rank4_2x3x2x2.npy"] = npy(header_dict(q("<f4"), False, (2, 3, 2, 2)), values("<f", 24))
    c["v1_f8_le_rank2_4x3.npy"] = npy(header_dict(q("<f8"), False, (4, 3)), values("<d", 12))
    c["v1_f4_be_rank3_2x4x3.npy"] = npy(header_dict(q(">f4"), False, (2, 4, 3)), values(">f", 24))
    c["v1_f8_be_fortran_rank3_2x2x5.npy"] = npy(header_dict(q(">f8"), True, (2, 2, 5)), values(">d", 20))
    c["v1_f4_fortran_rank4_2x2x3x2.npy"] = npy(header_dict(q("<f4"), True, (2, 2, 3, 2)), values("<f", 24))
    c["v2_f4_rank4_1x4x2x2.npy"] = npy(header_dict(q("<f4"), False, (1, 4, 2, 2)), values("<f", 16), version=2)
    c["v3_f8_rank2_3x2.npy"] = npy(header_dict(q("<f8"), False, (3, 2)), values("<d", 6), version=3)
    c["v1_f4_python2_long_dims.npy"] = npy(header_dict(q("<f4"), False, ("2L", "3L")), values("<f", 6))
    c["v1_keys_reordered_double_quotes.npy"] = npy(
        '{"shape": (2, 2), "fortran_order": False, "descr": "<f4"}', values("<f", 4))
    c["v1_i2_le_rank2.npy"] = npy(header_dict(q("<i2"), False, (2, 3)), ints("<h", 6))
    c["v1_u1_rank2.npy"] = npy(header_dict(q("|u1"), False, (2, 4)), bytes(range(8)))
    c["v1_i8_be_rank4.npy"] = npy(header_dict(q(">i8"), True, (1, 2, 2, 1)), ints(">q", 4))
    c["v1_f4_nan_inf.npy"] = npy(header_dict(q("<f4"), False, (2, 2)),
                                 struct.pack("<4f", float("nan"), float("inf"), -float("inf"), 1e38))
    c["v1_f4_constant_single.npy"] = npy(header_dict(q("<f4"), False, (1, 1, 1, 1)), values("<f", 1))
    # Malformed.
    good = c["v1_f4_le_rank4_2x3x2x2.npy"]
    c["bad_truncated_data.npy"] = good[:-7]
    c["bad_truncated_header.npy"] = good[:40]
    c["bad_truncated_prefix.npy"] = good[:9]
    c["bad_magic.npy"] = b"\x93NUMPZ" + good[6:]
    c["bad_npz_zip.npy"] = b"PK\x03\x04" + bytes(60)
    c["bad_version_4_0.npy"] = good[:6] + b"\x04\x00" + good[8:]
    c["bad_version_1_1.npy"] = good[:6] + b"\x01\x01" + good[8:]
    c["bad_header_length_past_end.npy"] = good[:8] + struct.pack("<H", 0xFFFF) + good[10:]
    c["bad_v2_header_length_huge.npy"] = b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{}"
    c["bad_rank1.npy"] = npy(header_dict(q("<f4"), False, (6,)), values("<f", 6))
    c["bad_rank5.npy"] = npy(header_dict(q("<f4"), False, (1, 1, 1, 2, 2)), values("<f", 4))
    c["bad_rank0.npy"] = npy(header_dict(q("<f4"), False, ()), values("<f", 1))
    c["bad_zero_dim.npy"] = npy(header_dict(q("<f4"), False, (2, 0, 3)))
    c["bad_negative_dim.npy"] = npy(header_dict(q("<f4"), False, (2, -3)), values("<f", 6))
    c["bad_overflow_dims.npy"] = npy(header_dict(q("<f4"), False, (2**40, 2**40, 2**40)))
    c["bad_dim_too_long.npy"] = npy(header_dict(q("<f4"), False, (10**30, 1)))
    c["bad_huge_count_small_file.npy"] = npy(header_dict(q("<f8"), False, (4096, 4096, 64)))
    c["bad_f2.npy"] = npy(header_dict(q("<f2"), False, (2, 2)), b"\0" * 8)
    c["bad_c8.npy"] = npy(header_dict(q("<c8"), False, (2, 2)), b"\0" * 32)
    c["bad_object.npy"] = npy(header_dict(q("|O"), False, (2, 2)), b"\0" * 32)
    c["bad_bool.npy"] = npy(header_dict(q("|b1"), False, (2, 2)), b"\1" * 4)
    c["bad_unicode.npy"] = npy(header_dict(q("<U3"), False, (2, 2)), b"\0" * 48)
    c["bad_f4_no_byteorder_pipe.npy"] = npy(header_dict(q("|f4"), False, (2, 2)), values("<f", 4))
    c["bad_structured.npy"] = npy(header_dict("[('x', '<f4'), ('y', '<f8')]", False, (2, 2)), b"\0" * 48)
    c["bad_unterminated_list.npy"] = npy("{'descr': [('x', '<f4'), 'fortran_order': False}")
    c["bad_missing_shape.npy"] = npy("{'descr': '<f4', 'fortran_order': False}", values("<f", 4))
    c["bad_duplicate_key.npy"] = npy("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 2)}")
    c["bad_unknown_key.npy"] = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}")
    c["bad_fortran_not_bool.npy"] = npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 2)}")
    c["bad_unterminated_string.npy"] = npy("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 2)}")
    c["bad_trailing_text.npy"] = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} junk", values("<f", 4))
    c["bad_control_chars_in_header.npy"] = npy("{'descr': '<f\x01\x1b[31m', 'fortran_order': False, 'shape': (2, 2)}")
    c["bad_empty_header.npy"] = npy("", pad=False)
    c["bad_empty_file.npy"] = b""
    return c


CLI = {
    "normalize_batch": ["normalize", "--norm", "batch", "in.npy", "out.npy"],
    "normalize_group_eq": ["normalize", "--norm=group", "--groups=2", "--eps", "1e-3", "a.npy", "b.npy"],
    "normalize_custom": ["normalize", "--axes", "NW", "--no-center", "--convert-int", "in.npy", "out.npy"],
    "normalize_dashdash": ["normalize", "--norm", "rms", "--", "--in.npy", "-"],
    "normalize_help": ["normalize", "--norm", "bogus", "--help"],
    "stats_csv": ["stats", "--norm", "layer-token", "--format", "csv", "in.npy"],
    "stats_json_eps": ["stats", "--norm", "instance", "--eps=0", "--format=json", "x.npy"],
    "mask_group": ["mask", "--shape", "2,4,3,3", "--norm", "group", "--groups", "2", "--focus", "1,3,2,2", "m.npy"],
    "mask_custom": ["mask", "--shape=1,8,1,5", "--axes", "cw", "--focus=0,7,0,4", "m.npy"],
    "mask_outside": ["mask", "--shape", "2,2,2,2", "--norm", "layer", "--focus", "2,0,0,0", "m.npy"],
    "bad_unknown_option": ["normalize", "--nrom", "batch", "a", "b"],
    "bad_twice": ["stats", "--norm", "batch", "--norm", "layer", "a"],
    "bad_missing_value": ["stats", "a.npy", "--norm"],
    "bad_flag_value": ["normalize", "--no-center=yes", "--axes", "HW", "a", "b"],
    "bad_groups": ["normalize", "--norm", "group", "--groups", "-3", "a", "b"],
    "bad_groups_overflow": ["normalize", "--norm", "group", "--groups", "99999999999999999999", "a", "b"],
    "bad_eps": ["stats", "--norm", "batch", "--eps", "nan", "a"],
    "bad_eps_negative": ["stats", "--norm", "batch", "--eps", "-1e-5", "a"],
    "bad_axes": ["stats", "--axes", "NNX", "a"],
    "bad_axes_with_preset": ["stats", "--norm", "batch", "--axes", "HW", "a"],
    "bad_shape": ["mask", "--shape", "2,4,-3,3", "--norm", "batch", "--focus", "0,0,0,0", "m"],
    "bad_shape_huge": ["mask", "--shape", "100000,100000,100000,100000", "--norm", "batch", "--focus", "0,0,0,0", "m"],
    "bad_focus": ["mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,,0", "m"],
    "bad_empty_args": ["normalize", "", "", "--norm="],
}


# A scene as scene_to_json writes it (every field), and pieces of the shipped lessons' scenes.
FULL_SCENE = """{
  "normviz_scene": 1,
  "shape": [4, 6, 4, 4],
  "generator": "per-channel",
  "seed": 1,
  "norms": ["batch", "layer", "instance", "group", "layer-token", "rms"],
  "view": "compare",
  "single_norm": "batch",
  "groups": 2,
  "eps": 1e-05,
  "custom_axes": "NW",
  "custom_center": true,
  "focus": [1, 2, 1, 2],
  "values": "raw",
  "palette": "blue-red"
}
"""


def scene(body):
    return ('{"normviz_scene": 1, ' + body + "}\n").encode()


SCENES = {
    "ok_full": FULL_SCENE.encode(),
    "ok_minimal": b'{"normviz_scene": 1}',
    "ok_padding": scene('"shape": [4, 3, 1, 8], "generator": "per-channel", "seed": 31, '
                        '"norms": ["batch"], "view": "single", "single_norm": "batch", '
                        '"focus": [0, 2, 0, 2], "values": "raw", "lengths": [8, 5, 3, 6]'),
    "ok_devices": scene('"shape": [8, 4, 2, 2], "norms": ["batch", "group"], "groups": 4, '
                        '"devices": 4, "palette": "colour-blind", "values": "normalized", '
                        '"lesson": {"id": "devices", "step": 2}'),
    "ok_custom": scene('"norms": ["custom"], "view": "single", "custom_axes": "HW", '
                       '"custom_center": false, "eps": 0, "seed": 18446744073709551615, '
                       '"data_file": "data/x.npy"'),
    "bad_not_json": b"shape = 4,6,4,4\n",
    "bad_truncated": FULL_SCENE.encode()[:120],
    "bad_not_object": b'[1, 2, 3]',
    "bad_no_marker": b'{"shape": [4, 6, 4, 4]}',
    "bad_lesson_file": b'{"normviz_lesson": 1, "id": "x", "steps": []}',
    "bad_version": scene('"shape": [1, 1, 1, 1]').replace(b": 1,", b": 2,", 1),
    "bad_unknown_field": scene('"shpae": [4, 6, 4, 4]'),
    "bad_shape_type": scene('"shape": "4,6,4,4"'),
    "bad_shape_count": scene('"shape": [4, 6, 4]'),
    "bad_shape_negative": scene('"shape": [4, -6, 4, 4]'),
    "bad_shape_zero": scene('"shape": [4, 0, 4, 4]'),
    "bad_shape_float": scene('"shape": [4, 6.5, 4, 4]'),
    "bad_shape_huge": scene('"shape": [100000, 100000, 100000, 100000]'),
    "bad_shape_overflow": scene('"shape": [18446744073709551615, 9223372036854775807, 4, 4]'),
    "bad_focus_outside": scene('"shape": [2, 4, 3, 3], "focus": [2, 0, 0, 0]'),
    "bad_focus_negative": scene('"focus": [0, -1, 0, 0]'),
    "bad_groups": scene('"shape": [4, 6, 4, 4], "groups": 4'),
    "bad_groups_zero": scene('"groups": 0'),
    "bad_eps": scene('"eps": -1e-5'),
    "bad_eps_string": scene('"eps": "1e-5"'),
    "bad_eps_huge": scene('"eps": 1e999'),
    "bad_seed": scene('"seed": -1'),
    "bad_norms": scene('"norms": ["batch", "frobnorm"]'),
    "bad_norms_twice": scene('"norms": ["batch", "batch"]'),
    "bad_norms_empty": scene('"norms": []'),
    "bad_generator": scene('"generator": 7'),
    "bad_view": scene('"view": "grid"'),
    "bad_axes": scene('"custom_axes": "NNX"'),
    "bad_center": scene('"custom_center": "yes"'),
    "bad_palette": scene('"palette": null'),
    "ok_color_scale": scene('"color_scale": "channel-percentile"'),
    "bad_color_scale": scene('"color_scale": "log"'),
    "bad_devices": scene('"shape": [6, 2, 2, 2], "devices": 4'),
    "bad_lengths": scene('"shape": [2, 2, 1, 4], "lengths": [4, 5]'),
    "bad_lesson": scene('"lesson": {"id": 3, "step": -1}'),
    "bad_lesson_field": scene('"lesson": {"id": "x", "page": 1}'),
    "bad_lesson_step_without_id": scene('"lesson": {"step": 2}'),  # found by the fuzzer
    "ok_picture": scene('"picture": "cube-hw"'),
    "ok_color_scale": scene('"color_scale": "channel-percentile"'),
    "bad_color_scale": scene('"color_scale": "log"'),
    "ok_data_file_layout_running": scene('"data_file": "h.npy", "layout": "NLC", "running": "m.safetensors:bn", '
                                         '"lengths": [7, 3]'),
    "bad_layout_without_data_file": scene('"layout": "NLC"'),
    "bad_picture": scene('"picture": "3d"'),
    "bad_deep_nesting": scene('"lesson": ' + "[" * 400 + "]" * 400),
    # Valid JSON nested past the reader's depth limit (core/json_depth.h): an error, not a crash.
    "bad_deep_nesting_valid": scene('"lesson": ' + "[" * 1000 + "0" + "]" * 1000),
    "bad_deep_objects": scene('"lesson": ' + '{"a": ' * 300 + "0" + "}" * 300),
    "ok_nesting_at_limit": scene('"lengths": ' + "[" * 3 + "1" + "]" * 3),
    "bad_control_key": scene('"sha\\u0001pe\\n": 1'),
}


# Settings files (app/model/settings.h) as save_settings writes them, and the values it must refuse.
SETTINGS_OK = (b"window_width=1400\nwindow_height=900\nfont_size=16\nshape=4,6,4,4\ngenerator=per-channel\n"
               b"seed=1\ndata_path=\nlayout=\ncompared=batch,layer,instance,group\nsingle_view=0\n"
               b"single_norm=batch\ngroups=2\neps=1.0000000000000001e-05\ncustom_axes=HW\ncustom_center=1\n"
               b"focus=1,2,1,2\nnormalized=0\npalette=0\ncolor_scale=symmetric\n")
SETTINGS = {
    "ok_saved": SETTINGS_OK,
    "bad_font_nan": b"font_size=nan\n",
    "bad_font_inf": b"font_size=inf\nfont_size=1e999\nfont_size=-0\n",
    "bad_trailing": b"window_width=800junk\nwindow_height=600 \ngroups=2x\nseed=1e3\n",
    "bad_words": b"font_size=abc\neps=nan\nshape=4,6,x,4\nfocus=0,0,0\ncompared=batch,,layer\n",
    "bad_huge": b"shape=100000,100000,100000,100000\ngroups=99999999999999999999\nwindow_width=99999999\n",
    "bad_no_equals": b"font_size\n=\n\n\r\n\x00=1\n",
    "bad_planted_line": b"data_path=evil.npy\nfont_size=nan\n",
}


def zip_bytes(members, method):
    """A zip archive (fixed timestamps, so reruns write the same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return out.getvalue()


def safetensors(tensors):
    """u64 header length, JSON header {name: {dtype, shape, data_offsets}}, data."""
    header, data = {}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def archive_corpus():
    q = lambda s: "'" + s + "'"
    a = npy(header_dict(q("<f4"), False, (2, 3, 2)), values("<f", 12))
    b = npy(header_dict(q("<f2"), False, (2, 4)), values("<e", 8))
    mean = npy(header_dict(q("<f4"), False, (3,)), values("<f", 3))
    var = npy(header_dict(q("<f4"), False, (3,)), values("<f", 3, 0.5)[::-1])
    c = {}
    c["ok_savez.npz"] = zip_bytes({"a.npy": a, "b.npy": b}, zipfile.ZIP_STORED)
    c["ok_savez_compressed.npz"] = zip_bytes({"a.npy": a, "b.npy": b}, zipfile.ZIP_DEFLATED)
    c["ok_bn_buffers.npz"] = zip_bytes({"bn.running_mean.npy": mean, "bn.running_var.npy": var}, zipfile.ZIP_DEFLATED)
    c["ok_tensors.safetensors"] = safetensors({
        "x": ("F32", (2, 3, 2), values("<f", 12)), "h": ("F16", (2, 4), values("<e", 8)),
        "bf": ("BF16", (2, 2), b"\x80\x3f" * 4), "d": ("F64", (2, 2), values("<d", 4)),
        "bn.running_mean": ("F32", (3,), values("<f", 3)), "bn.running_var": ("F32", (3,), values("<f", 3))})
    c["refuse_torch_save.pt"] = zip_bytes({"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": b"3\n"},
                                          zipfile.ZIP_STORED)
    c["refuse_pickle.pt"] = b"\x80\x02\x8a\x0alp\xfc\x9cF\xf9 j\xa8P\x19."
    c["bad_truncated.npz"] = c["ok_savez_compressed.npz"][:-30]
    # Found by the fuzzer: member names with control characters reached a checkpoint error.
    c["bad_control_chars_in_names.npz"] = zip_bytes(
        {"b\x00n.running_mean.npy": mean, "bn.running_var\x1b.npy": var}, zipfile.ZIP_DEFLATED)
    # Found by the fuzzer: a deflated member that inflates to fewer bytes than its headers
    # say, cut before the .npy header's length (listing it read past the inflated head).
    cut = bytearray(zip_bytes({"cut.npy": a[:8]}, zipfile.ZIP_DEFLATED))
    for at in (22, cut.rindex(b"PK\x01\x02") + 24):
        cut[at:at + 4] = struct.pack("<I", len(a))
    c["bad_deflated_member_cut_in_magic.npz"] = bytes(cut)
    c["bad_safetensors_offsets.safetensors"] = safetensors({"x": ("F32", (2, 3, 2), values("<f", 10))})
    return c


def main():
    for target, files in (("fuzz_npy", npy_corpus()),
                          ("fuzz_cli_arguments",
                           {name: "\n".join(words).encode() for name, words in CLI.items()}),
                          ("fuzz_scene_json", SCENES),
                          ("fuzz_settings", SETTINGS),
                          ("fuzz_array_file", archive_corpus())):
        folder = os.path.join(ROOT, target)
        os.makedirs(folder, exist_ok=True)
        for name, data in files.items():
            assert len(data) < 4096, name
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
