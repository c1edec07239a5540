// Preloaded (`node -r`) by bench/monit.mjs into `velos list` and `velos monit`: appends to the file
// $VELOS_BENCH_PROBE the wall ms since the process started and the CPU ms it used (all its threads), when
// `list` exits or when monit writes its first full frame (the table, the log pane and the events). Both
// times leave out whatever ran before the process (tmux, the shell), unlike the bench's wall times.
const { appendFileSync } = require('node:fs');

const file = process.env.VELOS_BENCH_PROBE;
let isDone = false;
const record = (label) => {
  if (isDone || !file) return;
  isDone = true;
  const usage = process.cpuUsage();
  appendFileSync(
    file,
    `${label} ${performance.now().toFixed(1)} ${((usage.user + usage.system) / 1000).toFixed(1)}\n`,
  );
};

if (process.argv.includes('monit')) {
  // ink writes its frames to process.stdout, a tty.WriteStream on a terminal
  const { WriteStream } = require('node:tty');
  const write = WriteStream.prototype.write;
  WriteStream.prototype.write = function (chunk, ...rest) {
    const result = write.call(this, chunk, ...rest);
    const text = String(chunk);
    if (text.includes('── logs') && text.includes('── events') && /app-00 .*online/.test(text))
      record('frame');
    return result;
  };
} else {
  process.once('exit', () => record('exit'));
}
