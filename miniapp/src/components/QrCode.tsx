/**
 * A QR code drawn with plain Views (works alike on WeChat, Alipay and H5, no canvas): the campus
 * token in alphanumeric mode at level L, each row as runs of dark modules.
 */
import { View } from '@tarojs/components';
import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

/** Rows of [start, length] dark runs, with the quiet zone left to the container's padding. */
export function qrRuns(text: string, mode: 'Alphanumeric' | 'Byte' = 'Alphanumeric'): { size: number; rows: [number, number][][] } {
  const qr = qrcode(0, 'L');
  qr.addData(text, mode);
  qr.make();
  const size = qr.getModuleCount();
  const rows: [number, number][][] = [];
  for (let r = 0; r < size; r++) {
    const runs: [number, number][] = [];
    let start = -1;
    for (let c = 0; c <= size; c++) {
      const dark = c < size && qr.isDark(r, c);
      if (dark && start < 0) start = c;
      if (!dark && start >= 0) {
        runs.push([start, c - start]);
        start = -1;
      }
    }
    rows.push(runs);
  }
  return { size, rows };
}

/** `mode` Byte for any text (a link); the campus code is upper-case alphanumeric, the densest mode. */
export function QrCode(props: { text: string; sizePx: number; onTap?: () => void; dimmed?: boolean; mode?: 'Alphanumeric' | 'Byte' }) {
  const { size, rows } = useMemo(() => qrRuns(props.text, props.mode), [props.text, props.mode]);
  const cell = Math.floor(props.sizePx / (size + 8));
  const quiet = cell * 4;
  return (
    <View
      className={`qr${props.dimmed ? ' qr--dimmed' : ''}`}
      style={{ padding: `${quiet}px`, width: `${cell * size}px`, background: '#fff' }}
      onClick={props.onTap}
      aria-label="campus QR code"
    >
      {rows.map((runs, r) => (
        <View key={r} style={{ position: 'relative', height: `${cell}px`, width: `${cell * size}px` }}>
          {runs.map(([start, length]) => (
            <View key={start} style={{ position: 'absolute', left: `${start * cell}px`, top: 0, width: `${length * cell}px`, height: `${cell}px`, background: '#000' }} />
          ))}
        </View>
      ))}
    </View>
  );
}
