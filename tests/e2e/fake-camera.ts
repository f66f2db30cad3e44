/**
 * A camera for Chromium made from a screenshot: the picture (the phone's QR code) is centred on a
 * grey 640×480 frame and written as a Y4M file (4:2:0), which Chromium plays as its camera with
 * --use-file-for-fake-video-capture. The terminal app then reads the code through getUserMedia, as
 * a cashier's camera would.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

const WIDTH = 640;
const HEIGHT = 480;

export function writeFakeCamera(png: Buffer, file: string): void {
  const picture = PNG.sync.read(png);
  // Nearest-neighbour scaling keeps the modules' edges sharp, as a well-held phone would show them.
  const scale = Math.min((HEIGHT * 0.85) / picture.height, (WIDTH * 0.85) / picture.width);
  const w = Math.floor(picture.width * scale);
  const h = Math.floor(picture.height * scale);
  const left = Math.floor((WIDTH - w) / 2);
  const top = Math.floor((HEIGHT - h) / 2);
  const rgb = (x: number, y: number): [number, number, number] => {
    const px = x - left;
    const py = y - top;
    if (px < 0 || py < 0 || px >= w || py >= h) return [200, 200, 200];
    const i = (Math.floor(py / scale) * picture.width + Math.floor(px / scale)) * 4;
    const alpha = picture.data[i + 3]! / 255;
    return [0, 1, 2].map((c) => Math.round(picture.data[i + c]! * alpha + 255 * (1 - alpha))) as [number, number, number];
  };
  const y = Buffer.alloc(WIDTH * HEIGHT);
  const u = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
  const v = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2));
  for (let row = 0; row < HEIGHT; row++) {
    for (let col = 0; col < WIDTH; col++) {
      const [r, g, b] = rgb(col, row);
      y[row * WIDTH + col] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
      if (row % 2 === 0 && col % 2 === 0) {
        const k = (row / 2) * (WIDTH / 2) + col / 2;
        u[k] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        v[k] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}
