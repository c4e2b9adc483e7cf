"""Prints the image constants and struct formats gdb-scripts/ckpt.py declares.

Used by ImageLayoutIT: python3 layout_dump.py PATH/TO/ckpt.py
ckpt.py imports gdb, which exists only inside gdb: a stand-in module answers
every attribute with a class that accepts anything.
Output: "const NAME VALUE" and "format NAME FORMAT" lines.
"""
import importlib.util
import sys
import types

gdb = types.ModuleType("gdb")


class _Any:
    def __init__(self, *args, **kwargs):
        pass


gdb.__getattr__ = lambda name: _Any
sys.modules["gdb"] = gdb
spec = importlib.util.spec_from_file_location("ckpt", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for name in sorted(dir(module)):
    value = getattr(module, name)
    if name.startswith("CKPT_") and isinstance(value, int):
        print("const", name, value)
    elif name.endswith("_FMT") and isinstance(value, str):
        print("format", name, value)
