// Independent reference values for Herald's indicator tests, computed with
// the pure-JS `technicalindicators` package (and, for the z-score, plain
// two-pass arithmetic). Usage: node indicators.js IN.json OUT.json
// IN: {"high": [...], "low": [...], "close": [...]}; OUT: one array per
// indicator, aligned to the input (null while not warm).
const fs = require('fs');
const ti = require('technicalindicators');

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const close = input.close, high = input.high, low = input.low;
const n = close.length;

// technicalindicators returns only warm values: pad the front with nulls.
const pad = (xs) => Array(n - xs.length).fill(null).concat(xs);

// RSI from the package's Wilder average gain / loss (its RSI rounds to 2 decimals).
const ag = pad(ti.AverageGain.calculate({ period: 14, values: close }));
const al = pad(ti.AverageLoss.calculate({ period: 14, values: close }));
const rsi = ag.map((g, i) => {
  if (g === null || al[i] === null) return null;
  if (al[i] === 0) return g === 0 ? 50 : 100;
  return 100 - 100 / (1 + g / al[i]);
});

const bb = pad(ti.BollingerBands.calculate({ period: 20, values: close, stdDev: 2 }));
const macd = pad(ti.MACD.calculate({
  values: close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9,
  SimpleMAOscillator: false, SimpleMASignal: false,
}));

const zscore = close.map((x, i) => {
  if (i < 19) return null;
  const w = close.slice(i - 19, i + 1);
  const m = w.reduce((a, b) => a + b, 0) / 20;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) * (b - m), 0) / 20);
  return sd === 0 ? 0 : (x - m) / sd;
});

const out = {
  sma20: pad(ti.SMA.calculate({ period: 20, values: close })),
  ema20: pad(ti.EMA.calculate({ period: 20, values: close })),
  rsi14: rsi,
  atr14: pad(ti.ATR.calculate({ high, low, close, period: 14 })),
  bb_lower: bb.map((b) => (b ? b.lower : null)),
  bb_middle: bb.map((b) => (b ? b.middle : null)),
  bb_upper: bb.map((b) => (b ? b.upper : null)),
  macd: macd.map((m) => (m && m.MACD !== undefined ? m.MACD : null)),
  macd_signal: macd.map((m) => (m && m.signal !== undefined ? m.signal : null)),
  macd_hist: macd.map((m) => (m && m.histogram !== undefined ? m.histogram : null)),
  zscore20: zscore,
};
fs.writeFileSync(process.argv[3], JSON.stringify(out));
