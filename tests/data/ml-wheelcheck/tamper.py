#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Make a tampered copy of a wheel for ml-wheelcheck's tests:
#   tamper.py MODE SRC DST
# Each mode breaks one thing and keeps the rest consistent (RECORD rewritten
# when the mode is not about RECORD), so one code is expected.
import base64
import hashlib
import stat
import sys
import zipfile

mode, src, dst = sys.argv[1:4]
zin = zipfile.ZipFile(src)
entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
dist = next(i.filename.split("/")[0] for i, _ in entries if ".dist-info/" in i.filename)
record_name = dist + "/RECORD"


def h(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def rebuild_record(entries, drop=()):
    rows = []
    for i, data in entries:
        if i.filename == record_name:
            continue
        if i.filename in drop:
            continue
        rows.append(f"{i.filename},{h(data)},{len(data)}")
    rows.append(f"{record_name},,")
    return ("\n".join(rows) + "\n").encode()


def set_entry(entries, name, data):
    return [(i, data if i.filename == name else d) for i, d in entries]


def module(entries):
    return next(i.filename for i, _ in entries if i.filename.endswith("model.py"))


def write(entries, compress=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(dst, "w", compress) as z:
        for i, data in entries:
            zi = zipfile.ZipInfo(i.filename, date_time=(2020, 1, 1, 0, 0, 0))
            zi.external_attr = i.external_attr
            zi.create_system = i.create_system
            zi.compress_type = compress
            z.writestr(zi, data)


if mode == "module-byte":
    m = module(entries)
    data = bytearray(dict((i.filename, d) for i, d in entries)[m])
    data[10] ^= 0x20
    write(set_entry(entries, m, bytes(data)))
elif mode == "drop-row":
    write(set_entry(entries, record_name, rebuild_record(entries, drop=(module(entries),))))
elif mode == "extra-file":
    zi = zipfile.ZipInfo("mlci_sample/extra.py")
    write(entries + [(zi, b"print('not in RECORD')\n")])
elif mode == "rename-dist-info":
    new = "other_name-1.2.0.dist-info"
    for i, _ in entries:
        i.filename = i.filename.replace(dist, new)
    record_name = new + "/RECORD"
    write(set_entry(entries, record_name, rebuild_record(entries)))
elif mode == "wrong-tag":
    w = dist + "/WHEEL"
    data = dict((i.filename, d) for i, d in entries)[w].replace(b"Tag: py3-none-any", b"Tag: py2-none-any")
    entries = set_entry(entries, w, data)
    write(set_entry(entries, record_name, rebuild_record(entries)))
elif mode in ("dotdot", "symlink", "absolute", "backslash"):
    name = {"dotdot": "mlci_sample/../../evil.py", "symlink": "mlci_sample/link.py",
            "absolute": "/etc/evil.py", "backslash": "mlci_sample\\evil.py"}[mode]
    zi = zipfile.ZipInfo(name)
    data = b"x = 1\n"
    if mode == "symlink":
        zi.create_system = 3
        zi.external_attr = (stat.S_IFLNK | 0o777) << 16
        data = b"/etc/passwd"
    entries = entries + [(zi, data)]
    write(set_entry(entries, record_name, rebuild_record(entries)))
elif mode == "bomb":
    zi = zipfile.ZipInfo("mlci_sample/zeros.bin")
    entries = entries + [(zi, bytes(64 << 20))]
    write(set_entry(entries, record_name, rebuild_record(entries)))
elif mode == "truncate":
    data = open(src, "rb").read()
    open(dst, "wb").write(data[: len(data) * 2 // 3])
elif mode == "crc":
    m = module(entries)
    write(entries, zipfile.ZIP_STORED)
    data = bytearray(open(dst, "rb").read())
    content = dict((i.filename, d) for i, d in entries)[m]
    at = data.find(content)
    data[at + 10] ^= 0x20
    open(dst, "wb").write(bytes(data))
elif mode == "local-name":
    m = module(entries)
    write(entries)
    data = bytearray(open(dst, "rb").read())
    at = data.find(m.encode())  # the first occurrence is the local header
    data[at] ^= 0x01
    open(dst, "wb").write(bytes(data))
elif mode == "md5":
    m = module(entries)
    content = dict((i.filename, d) for i, d in entries)[m]
    rec = dict((i.filename, d) for i, d in entries)[record_name]
    md5 = "md5=" + base64.urlsafe_b64encode(hashlib.md5(content).digest()).rstrip(b"=").decode()
    write(set_entry(entries, record_name, rec.replace(h(content).encode(), md5.encode())))
elif mode in ("sha512", "sha512-wrong", "sha224"):
    # RECORD rows may use any hash as strong as sha256: rewrite every row
    # with the named algorithm (sha512-wrong: one digest of other bytes).
    algo = "sha224" if mode == "sha224" else "sha512"
    m = module(entries)
    content = dict((i.filename, d) for i, d in entries)
    rec = content[record_name]
    for name, data in content.items():
        if name == record_name:
            continue
        src = b"other bytes" if mode == "sha512-wrong" and name == m else data
        digest = base64.urlsafe_b64encode(hashlib.new(algo, src).digest()).rstrip(b"=")
        rec = rec.replace(h(data).encode(), algo.encode() + b"=" + digest)
    write(set_entry(entries, record_name, rec))
elif mode == "metadata-name":
    md = dist + "/METADATA"
    data = dict((i.filename, d) for i, d in entries)[md].replace(b"Name: mlci-sample", b"Name: other-sample")
    entries = set_entry(entries, md, data)
    write(set_entry(entries, record_name, rebuild_record(entries)))
elif mode == "requires-dist":
    md = dist + "/METADATA"
    data = dict((i.filename, d) for i, d in entries)[md].replace(b"Requires-Dist: numpy (>=1.20)", b"Requires-Dist: numpy >=> 1.20")
    entries = set_entry(entries, md, data)
    write(set_entry(entries, record_name, rebuild_record(entries)))
elif mode == "pyc":
    zi = zipfile.ZipInfo("mlci_sample/model.cpython-311.pyc")
    entries = entries + [(zi, b"\x00compiled")]
    write(set_entry(entries, record_name, rebuild_record(entries)))
else:
    sys.exit(f"tamper.py: unknown mode '{mode}'")
