// The radio's pages, progressive enhancement only: without this file a recording is chosen as a file.
// Recording: the microphone's sound is taken as 16-bit PCM at 16 kHz and put into the form's file
// input as a WAV file, so the form posts it like any upload (and the server checks it like any upload).
'use strict';
(() => {
  for (const box of document.querySelectorAll('[data-recorder]')) recorder(box);
})();

function recorder(box) {
  const form = box.closest('form');
  const input = form && form.querySelector('input[type=file][name=audio]');
  if (!input || !navigator.mediaDevices || !window.AudioContext || typeof DataTransfer === 'undefined') return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button secondary';
  button.textContent = box.dataset.labelStart;
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  const preview = document.createElement('audio');
  preview.controls = true;
  preview.hidden = true;
  box.append(button, status, preview);
  let session = null;

  button.addEventListener('click', async () => {
    if (session) {
      const wav = await session.stop();
      session = null;
      button.textContent = box.dataset.labelStart;
      const file = new File([wav], `ghi-am-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.wav`, { type: 'audio/wav' });
      const list = new DataTransfer();
      list.items.add(file);
      input.files = list.files;
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
      status.textContent = `${Math.round(wav.size / 1024)} KB`;
      return;
    }
    try {
      session = await startRecording();
    } catch {
      status.textContent = box.dataset.labelDenied;
      return;
    }
    button.textContent = box.dataset.labelStop;
    status.textContent = box.dataset.labelRecording;
  });
}

const RATE = 16000;

async function startRecording() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  // ScriptProcessor: deprecated but everywhere, and needs no second script file (an AudioWorklet would).
  const node = context.createScriptProcessor(4096, 1, 1);
  const chunks = [];
  node.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
  source.connect(node);
  node.connect(context.destination);
  return {
    async stop() {
      node.disconnect();
      source.disconnect();
      for (const track of stream.getTracks()) track.stop();
      const rate = context.sampleRate;
      await context.close();
      return wavFile(downsample(chunks, rate, RATE), RATE);
    },
  };
}

/** Averages the samples falling into each output sample (a plain low-pass as it decimates). */
function downsample(chunks, from, to) {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Float32Array(length);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  const ratio = from / to;
  const out = new Int16Array(Math.floor(length / ratio));
  for (let i = 0; i < out.length; i++) {
    const start = Math.floor(i * ratio);
    const end = Math.min(length, Math.floor((i + 1) * ratio));
    let sum = 0;
    for (let j = start; j < end; j++) sum += all[j];
    const v = Math.max(-1, Math.min(1, sum / Math.max(1, end - start)));
    out[i] = v < 0 ? v * 0x8000 : v * 0x7fff;
  }
  return out;
}

function wavFile(samples, rate) {
  const header = new DataView(new ArrayBuffer(44));
  const text = (at, s) => [...s].forEach((ch, i) => header.setUint8(at + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  header.setUint32(4, 36 + samples.byteLength, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  header.setUint32(16, 16, true);
  header.setUint16(20, 1, true); // PCM
  header.setUint16(22, 1, true); // mono
  header.setUint32(24, rate, true);
  header.setUint32(28, rate * 2, true);
  header.setUint16(32, 2, true);
  header.setUint16(34, 16, true);
  text(36, 'data');
  header.setUint32(40, samples.byteLength, true);
  return new Blob([header, samples.buffer], { type: 'audio/wav' });
}

// The live dashboard: each cluster's row and map dot follow the server's events.
(() => {
  const table = document.querySelector('table[data-live]');
  if (!table || typeof EventSource === 'undefined') return;
  const status = document.querySelector('[data-live-status]');
  const labels = table.dataset;
  const source = new EventSource(table.dataset.live);
  const show = (c) => {
    const row = table.querySelector(`tr[data-cluster="${c.id}"]`);
    if (!row) return;
    const cell = (name) => row.querySelector(`[data-field="${name}"]`);
    cell('online').textContent = c.online ? labels.labelOnline : labels.labelOffline;
    row.classList.toggle('offline', !c.online);
    row.classList.toggle('emergency', !!c.emergency);
    if (c.last_seen_at) cell('last_seen_at').textContent = c.last_seen_at;
    cell('playing').textContent = c.playing ? (c.emergency ? `${c.playing} (${labels.labelEmergency})` : c.playing) : '—';
    cell('volume').textContent = c.volume === null ? '—' : `${c.volume}%`;
    cell('power_now').textContent = c.power_now === 'dc' ? labels.labelDc : c.power_now === 'mains' ? labels.labelMains : '—';
    const dot = document.querySelector(`[data-dot="${c.id}"]`);
    if (dot) dot.setAttribute('class', `dot ${c.online ? 'online' : 'offline'}${c.emergency ? ' emergency' : ''}`);
  };
  source.addEventListener('snapshot', (e) => {
    for (const c of JSON.parse(e.data)) show(c);
    if (status) status.textContent = status.dataset.labelLive;
  });
  source.addEventListener('cluster', (e) => show(JSON.parse(e.data)));
  source.addEventListener('error', () => {
    if (status) status.textContent = status.dataset.labelLost;
  });
})();
