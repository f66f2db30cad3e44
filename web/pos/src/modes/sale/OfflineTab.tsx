/** The offline records kept on this terminal, newest first, with what became of each after the upload. */
import { useEffect, useState } from 'react';
import { Button, Tag, Typography } from 'antd';
import type { OfflineRecordView } from '@shared/terminal-client';
import { CHANNELS, RECORD_STATES, reasonZh, yuan } from '../../format';
import { useTerminal } from '../../terminal-context';

const STATE_COLORS: Record<string, string> = { queued: 'blue', applied: 'green', held: 'orange', rejected: 'red', reflected: 'purple' };

export function OfflineTab() {
  const { client, queued, lastUpload, online, upload, uploading } = useTerminal();
  const [records, setRecords] = useState<OfflineRecordView[]>([]);

  useEffect(() => {
    void client.offlineRecords().then((all) => setRecords([...all].reverse()), () => undefined);
  }, [client, queued, lastUpload]);

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8, height: '100%', minHeight: 0 }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 16, fontSize: 18 }}>
        <strong>脱机记录</strong>
        <span>待上传 {queued} 笔</span>
        <Button size="large" type="primary" disabled={!online || queued === 0} loading={uploading} onClick={() => void upload()}>
          立即上传
        </Button>
      </div>
      <div style={{ flex: 1, overflowY: 'auto', minHeight: 0 }}>
        {records.map((record) => (
          <div
            key={record.recordId}
            data-testid="offline-record"
            data-state={record.state}
            data-record-id={record.recordId}
            style={{ display: 'flex', alignItems: 'center', gap: 12, padding: '6px 4px', borderBottom: '1px solid #f0f0f0', fontSize: 17, whiteSpace: 'nowrap' }}
          >
            <span style={{ width: 150 }}>{new Date(record.occurredAt).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' })}</span>
            <span style={{ width: 96, fontWeight: 600 }}>{yuan(record.amountFen)}</span>
            <span style={{ width: 64 }}>{CHANNELS[record.method]}</span>
            <Tag color={STATE_COLORS[record.state]} style={{ fontSize: 15, padding: '2px 8px' }}>
              {RECORD_STATES[record.state] ?? record.state}
            </Tag>
            <span style={{ flex: 1, minWidth: 0, color: '#666' }}>{reasonZh(record.reason) ?? ''}</span>
          </div>
        ))}
        {records.length === 0 && <Typography.Text type="secondary">没有脱机记录</Typography.Text>}
      </div>
    </div>
  );
}
