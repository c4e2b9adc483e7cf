# asyncio: timers, a Queue between tasks, and a thread waking the loop
# through call_soon_threadsafe (the loop's self-pipe). Counts only.
import asyncio, threading, time

N = 300

def pusher(loop, q):
    for i in range(N):
        time.sleep(0.004)
        loop.call_soon_threadsafe(q.put_nowait, ("thread", i))
    loop.call_soon_threadsafe(q.put_nowait, ("thread", None))

async def producer(q):
    for i in range(N):
        await asyncio.sleep(0.003)
        await q.put(("task", i))
    await q.put(("task", None))

async def consumer(q, log):
    seen = {"thread": 0, "task": 0}
    sums = {"thread": 0, "task": 0}
    ended = 0
    while ended < 2:
        kind, i = await q.get()
        if i is None:
            ended += 1
            continue
        seen[kind] += 1
        s = sums[kind]
        for k in range(3000):
            s = (s * 31 + k + i) % 1000003
        sums[kind] = s
        if seen[kind] % 10 == 0:
            if kind == "thread":
                print("thread", seen[kind], s, flush=True)
            else:
                log.write("task %d %d\n" % (seen[kind], s))
                log.flush()
    return seen, sums

async def main():
    loop = asyncio.get_running_loop()
    q = asyncio.Queue()
    t = threading.Thread(target=pusher, args=(loop, q))
    t.start()
    with open("tasks.log", "w") as log:
        _, (seen, sums) = await asyncio.gather(producer(q), consumer(q, log))
    t.join()
    print("done", seen["thread"], seen["task"], sums["thread"], sums["task"])

asyncio.run(main())
