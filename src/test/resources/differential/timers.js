// timers and promises: deterministic progress, counts only
let sum = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let ticks = 0;
const iv = setInterval(() => { ticks++; }, 5);
async function worker(id, n) {
  let s = 0;
  for (let i = 1; i <= n; i++) {
    await sleep(2);
    await Promise.resolve(i);
    for (let k = 0; k < 20000; k++) s = (s * 31 + k + i + id) % 1000003;
    if (i % 25 === 0) process.stdout.write(`worker ${id} step ${i} sum ${s}\n`);
  }
  return s;
}
(async () => {
  for (let round = 1; round <= 4; round++) {
    const r = await Promise.all([worker(1, 100), worker(2, 100)]);
    sum = (sum + r[0] + r[1]) % 1000003;
    console.log(`round ${round} total ${sum}`);
  }
  clearInterval(iv);
  console.log(`done ${ticks > 0}`);
})();
