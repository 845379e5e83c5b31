// The optional alert sound (Settings, off by default): two short tones made with Web Audio,
// so no sound file is shipped or fetched and the CSP needs nothing more.

let context: AudioContext | null = null;

export function chime(): void {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  const ctx = context;
  // A context made before any click starts suspended; resuming may be refused until one.
  void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime;
  for (const [i, frequency] of [880, 1320].entries()) {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + i * 0.16);
    gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.16 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.16 + 0.15);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(start + i * 0.16);
    oscillator.stop(start + i * 0.16 + 0.16);
  }
}
