/** The big result panel after a sale or an action: green with the lines, or red with the reason. */
import { Typography } from 'antd';

export interface OutcomeView {
  status: 'ok' | 'refused';
  title: string;
  lines: string[];
}

export function Outcome({ outcome, testIds }: { outcome: OutcomeView; testIds?: Record<number, string> }) {
  const ok = outcome.status === 'ok';
  return (
    <div
      data-testid="outcome"
      data-status={outcome.status}
      role={ok ? 'status' : 'alert'}
      style={{ width: '100%', boxSizing: 'border-box', padding: '12px 16px', borderRadius: 12, background: ok ? '#f6ffed' : '#fff1f0', border: `3px solid ${ok ? '#52c41a' : '#ff4d4f'}`, textAlign: 'center' }}
    >
      <Typography.Title level={2} style={{ margin: 0, color: ok ? '#389e0d' : '#cf1322' }}>
        {outcome.title}
      </Typography.Title>
      {outcome.lines.map((line, i) => (
        <Typography.Paragraph
          key={i}
          data-testid={testIds?.[i] ?? (ok ? undefined : i === 0 ? 'outcome-reason' : undefined)}
          style={{ fontSize: 24, margin: '4px 0 0' }}
        >
          {line}
        </Typography.Paragraph>
      ))}
    </div>
  );
}
