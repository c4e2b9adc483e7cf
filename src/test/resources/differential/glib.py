# GLib main loop: timeouts, an idle source and a pipe watched by io_add_watch. Counts only.
import os
from gi.repository import GLib

loop = GLib.MainLoop()
r, w = os.pipe()
state = {"ticks": 0, "reads": 0, "sum": 0, "idle": 0}
log = open("glib.log", "w")

def tick():
    state["ticks"] += 1
    os.write(w, b"%d\n" % state["ticks"])
    if state["ticks"] % 20 == 0:
        print("tick", state["ticks"], flush=True)
    return state["ticks"] < 300

def readable(fd, cond):
    data = os.read(fd, 4096)
    for line in data.split():
        n = int(line)
        s = state["sum"]
        for k in range(3000):
            s = (s * 31 + k + n) % 1000003
        state["sum"] = s
        state["reads"] += 1
        if state["reads"] % 20 == 0:
            log.write("read %d %d\n" % (state["reads"], s))
            log.flush()
        if n == 300:
            GLib.idle_add(finish)
    return True

def finish():
    print("done", state["ticks"], state["reads"], state["sum"], flush=True)
    log.close()
    loop.quit()
    return False

GLib.timeout_add(4, tick)
GLib.io_add_watch(r, GLib.PRIORITY_DEFAULT, GLib.IO_IN, readable)
loop.run()
