/** The files a screen saves (a Blob behind an <a download> click), captured in jsdom, and their bytes. */
import { vi } from 'vitest';

export function captureDownloads() {
  const saved: { blob: Blob; name: string }[] = [];
  let last: Blob | undefined;
  URL.createObjectURL = vi.fn((blob: Blob) => ((last = blob), 'blob:x'));
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ blob: last!, name: this.download });
  });
  return saved;
}

/** A saved file's bytes, read with FileReader (jsdom's Blob has no text()). */
export function bytes(blob: Blob): Promise<Uint8Array> {
  return new Promise((done) => {
    const reader = new FileReader();
    reader.onload = () => done(new Uint8Array(reader.result as ArrayBuffer));
    reader.readAsArrayBuffer(blob);
  });
}
