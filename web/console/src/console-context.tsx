/** The signed-in staff member and the API client, for every screen; plus the small pieces screens share. */
import { createContext, useContext, type ReactNode } from 'react';
import { Alert } from 'antd';
import type { RouteContract } from '@shared/api/contract';
import { formatYuan } from '@shared/money';
import { ApiError, type ConsoleClient, type StaffSession } from './api';
import { useI18n } from './i18n';

export interface ConsoleValue {
  client: ConsoleClient;
  session: StaffSession;
  signOut(): void;
}

const ConsoleContext = createContext<ConsoleValue | undefined>(undefined);

export function ConsoleProvider({ value, children }: { value: ConsoleValue; children: ReactNode }) {
  return <ConsoleContext.Provider value={value}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside a signed-in console');
  return value;
}

/** Whether this role may call the route, by the contract's own `roles` (the API checks the same; a route without roles is refused to all). */
export function allowed(route: RouteContract, role: string): boolean {
  return (route.roles ?? []).some((r) => r === role);
}

export function yuan(fen: number): string {
  return `¥${formatYuan(fen)}`;
}

export function timeText(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}

/** A refusal in the current language; a 403 is titled 无权限 so staff know it is their role, not the account. */
export function ErrorAlert({ error, testId = 'error' }: { error: unknown; testId?: string }) {
  const { t, pick } = useI18n();
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const message = api ? pick(api) : String(error);
  return (
    <Alert
      type="error"
      showIcon
      data-testid={testId}
      data-code={api?.code}
      title={api?.forbidden ? `${t('forbidden')}：${message}` : message}
      style={{ marginBottom: 12 }}
    />
  );
}
