/**
 * Reads the holder's code two ways at once: the camera (getUserMedia, zxing-wasm on video frames,
 * QR only) and a USB scanner (a keyboard wedge: characters then Enter). The token is kept exactly
 * as read, spaces included: the server decides what it is (campus code, WeChat or Alipay code).
 * One code is delivered once: the wedge on its Enter; the camera not again while the same code
 * stays in view.
 */
import { useEffect, useRef, useState } from 'react';
import { Typography } from 'antd';

export interface CodeReaderProps {
  /** Delivers codes only while active (the camera keeps running in between, so arming is instant). */
  active: boolean;
  onCode(text: string): void;
  /** The hint shown (default 请出示付款码). */
  hint?: string;
  /** Use the camera (default true when the browser has one). */
  camera?: boolean;
  /** The camera preview's height in px (default 180). */
  videoHeight?: number;
}

/** Same code again within this long after it was last seen: the holder is still showing it. */
const SAME_CODE_MS = 3000; // longer than the idle frame period below
/** A scanner types a code in one burst; a longer pause between two keys starts a new code. */
const SCANNER_PAUSE_MS = 1000;

/** What the camera last delivered; `at` moves on while the same code stays in view. */
export interface Delivered {
  text: string;
  at: number;
}

/**
 * A code seen on a camera frame: deliver it (while armed) unless it is the code delivered last and
 * still in view. A code seen while not armed is not delivered, and so not suppressed later.
 */
export function seenOnFrame(delivered: Delivered, text: string, now: number, active: boolean): { deliver: boolean; delivered: Delivered } {
  if (text === delivered.text && now - delivered.at < SAME_CODE_MS) return { deliver: false, delivered: { text, at: now } };
  if (!active) return { deliver: false, delivered };
  return { deliver: true, delivered: { text, at: now } };
}

/** A text field has focus: the keyboard belongs to it, not to the scanner. */
export function typingInField(): boolean {
  const el = document.activeElement;
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement) return true;
  if (el instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(el.type);
  return (el as HTMLElement).isContentEditable === true;
}

export function CodeReader({ active, onCode, hint = '请出示付款码', camera = true, videoHeight = 180 }: CodeReaderProps) {
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;
  const activeRef = useRef(active);
  activeRef.current = active;

  // The wedge: the scanner types the code and presses Enter. What was typed before the reader was
  // armed (a password on the keypad, stray keys) is not part of the code, nor is anything after a pause
  // no scanner makes.
  const buffer = useRef('');
  useEffect(() => {
    if (active) buffer.current = '';
  }, [active]);
  useEffect(() => {
    let lastKeyAt = 0;
    const onKey = (e: KeyboardEvent) => {
      if (typingInField() || e.ctrlKey || e.metaKey || e.altKey) return;
      const now = Date.now();
      if (now - lastKeyAt > SCANNER_PAUSE_MS) buffer.current = '';
      lastKeyAt = now;
      if (e.key === 'Enter') {
        const text = buffer.current;
        buffer.current = '';
        if (text && activeRef.current) {
          e.preventDefault();
          onCodeRef.current(text);
        }
        return;
      }
      if (e.key.length === 1) {
        buffer.current += e.key;
        // A space would otherwise click the focused button (and scroll): the scanner means a character.
        if (e.key === ' ') e.preventDefault();
      } else if (e.key === 'Escape') buffer.current = '';
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const videoRef = useRef<HTMLVideoElement>(null);
  const [cameraState, setCameraState] = useState<'off' | 'starting' | 'on' | 'unavailable'>('off');

  useEffect(() => {
    if (!camera || !navigator.mediaDevices?.getUserMedia) {
      setCameraState('unavailable');
      return;
    }
    let stopped = false;
    let stream: MediaStream | undefined;
    let frameTimer: ReturnType<typeof setTimeout> | undefined;
    let delivered: Delivered = { text: '', at: 0 };
    setCameraState('starting');
    void (async () => {
      try {
        const [{ readBarcodes, prepareZXingModule }, { default: wasmUrl }] = await Promise.all([
          import('zxing-wasm/reader'),
          import('zxing-wasm/reader/zxing_reader.wasm?url'),
        ]);
        // The .wasm from our own origin: terminals on a campus network cannot reach a CDN.
        prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
        if (stopped) return stream.getTracks().forEach((t) => t.stop());
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = stream;
        await video.play().catch(() => undefined);
        setCameraState('on');
        const canvas = document.createElement('canvas');
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        const scan = async () => {
          if (stopped) return;
          try {
            if (ctx && video.videoWidth > 0) {
              canvas.width = video.videoWidth;
              canvas.height = video.videoHeight;
              ctx.drawImage(video, 0, 0);
              const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
              const results = await readBarcodes(frame, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
              const text = results.find((r) => r.isValid && r.text)?.text;
              if (text) {
                const seen = seenOnFrame(delivered, text, Date.now(), activeRef.current);
                delivered = seen.delivered;
                if (seen.deliver) onCodeRef.current(text);
              }
            }
          } catch {
            // A frame that cannot be read: try the next.
          }
          // Idle, frames are read only now and then (to know a delivered code is still in view): the CPU is the terminal's.
          if (!stopped) frameTimer = setTimeout(scan, activeRef.current ? 120 : 600);
        };
        void scan();
      } catch {
        if (!stopped) setCameraState('unavailable');
      }
    })();
    return () => {
      stopped = true;
      if (frameTimer) clearTimeout(frameTimer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [camera]);

  return (
    <div data-testid="code-reader" data-active={active ? 'true' : 'false'} data-camera={cameraState} style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 8, width: '100%' }}>
      <video
        ref={videoRef}
        muted
        playsInline
        style={{ display: cameraState === 'on' ? 'block' : 'none', width: '100%', maxHeight: videoHeight, objectFit: 'cover', borderRadius: 8, background: '#000', transform: 'scaleX(-1)' }}
      />
      <Typography.Text strong style={{ fontSize: 22, color: active ? '#1677ff' : '#999' }} data-testid="code-hint">
        {hint}
      </Typography.Text>
      {cameraState === 'unavailable' && <Typography.Text type="secondary">未检测到摄像头，请用扫码枪扫码</Typography.Text>}
    </div>
  );
}
