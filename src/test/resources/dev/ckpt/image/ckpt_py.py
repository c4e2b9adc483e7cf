"""gdb-scripts/ckpt.py outside gdb, for the image tests (ImageLayoutIT, ReaderRulesIT).

  python3 ckpt_py.py dump CKPT_PY         the image constants and struct formats it declares:
                                          "const NAME VALUE" and "format NAME FORMAT" lines
  python3 ckpt_py.py append CKPT_PY CORE  append_notes(CORE, [a VERSION note]), as ckpt-save does

ckpt.py imports gdb, which exists only inside gdb: a stand-in module answers every
attribute with a class that accepts anything.
"""
import importlib.util
import struct
import sys
import types

gdb = types.ModuleType("gdb")


class _Any:
    def __init__(self, *args, **kwargs):
        pass


gdb.__getattr__ = lambda name: _Any
sys.modules["gdb"] = gdb
spec = importlib.util.spec_from_file_location("ckpt", sys.argv[2])
ckpt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ckpt)

if sys.argv[1] == "dump":
    for name in sorted(dir(ckpt)):
        value = getattr(ckpt, name)
        if name.startswith("CKPT_") and isinstance(value, int):
            print("const", name, value)
        elif name.endswith("_FMT") and isinstance(value, str):
            print("format", name, value)
elif sys.argv[1] == "append":
    version = struct.pack(ckpt.VERSION_FMT, ckpt.CKPT_IMAGE_VERSION, ckpt.CKPT_WRITER_GDB, 1, 0)
    print(ckpt.append_notes(sys.argv[3], [(ckpt.CKPT_NT_VERSION, version)]))
else:
    sys.exit("usage: ckpt_py.py dump|append CKPT_PY [CORE]")
