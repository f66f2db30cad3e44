/**
 * The console's shell: sign-in, then Ant Design Pro's layout (a side menu of the screens this role
 * may use, the user and role in the header, the language switch, sign-out). Each screen's code is
 * loaded on demand (React.lazy per route). The menu only hides what a role cannot use: the API
 * refuses it anyway, and the screens show that refusal as 无权限.
 *
 * data-testids: menu-<screen>, header-user, header-role, lang-switch, sign-out
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ComponentType } from 'react';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Segmented, Space, Spin, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ConsoleClient, type ConsoleClientOptions, type StaffSession } from './api';
import { getAdminAccount, getCampusPolicy, importAccounts, listAuditLog } from '@shared/api/admin';
import { getDashboardRoute, getReconciliationQueueRoute, listStaffRoute } from '@shared/api/console';
import { getTurnoverReportRoute, listStatements } from '@shared/api/settlement';
import { listMerchantsRoute } from '@shared/api/merchants';
import { listDisputesRoute } from '@shared/api/disputes';
import { listFoundCardsRoute } from '@shared/api/lost-found';
import type { RouteContract } from '@shared/api/contract';
import { allowed, ConsoleProvider } from './console-context';
import { I18nProvider, useI18n, type Lang, type WordKey } from './i18n';

function lazyScreen<P extends object = {}>(load: () => Promise<Record<string, unknown>>, name: string) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<P> }));
}
const SignIn = lazyScreen<{ client: ConsoleClient; onSignedIn(session: StaffSession): void }>(() => import('./screens/SignIn'), 'SignIn');
const AccountSearch = lazyScreen(() => import('./screens/Accounts'), 'AccountSearch');
const AccountPage = lazyScreen(() => import('./screens/Accounts'), 'AccountPage');
const AuditLog = lazyScreen(() => import('./screens/AuditLog'), 'AuditLog');
const Queue = lazyScreen(() => import('./screens/Queue'), 'Queue');
const Disputes = lazyScreen(() => import('./screens/Disputes'), 'Disputes');
const FoundCards = lazyScreen(() => import('./screens/FoundCards'), 'FoundCards');
const Dashboard = lazyScreen(() => import('./screens/Dashboard'), 'Dashboard');
const Terminals = lazyScreen(() => import('./screens/Terminals'), 'Terminals');
const Import = lazyScreen(() => import('./screens/Import'), 'Import');
const Statements = lazyScreen(() => import('./screens/Statements'), 'Statements');
const Reports = lazyScreen(() => import('./screens/Reports'), 'Reports');
const Policy = lazyScreen(() => import('./screens/Policy'), 'Policy');
const Staff = lazyScreen(() => import('./screens/Staff'), 'Staff');

/** The screens, each shown to the roles its main route's contract allows (so the menu follows the API's rule, never its own). */
export const SCREENS: { key: string; path: string; label: WordKey; route: RouteContract }[] = [
  { key: 'dashboard', path: '/dashboard', label: 'menuDashboard', route: getDashboardRoute },
  { key: 'accounts', path: '/accounts', label: 'menuAccounts', route: getAdminAccount },
  // The reconciliation queue (对账待办): its findings tab is the findings table.
  { key: 'findings', path: '/findings', label: 'menuQueue', route: getReconciliationQueueRoute },
  { key: 'disputes', path: '/disputes', label: 'menuDisputes', route: listDisputesRoute },
  { key: 'found-cards', path: '/found-cards', label: 'menuFoundCards', route: listFoundCardsRoute },
  { key: 'terminals', path: '/terminals', label: 'menuTerminals', route: listMerchantsRoute },
  { key: 'audit', path: '/audit', label: 'menuAudit', route: listAuditLog },
  { key: 'import', path: '/import', label: 'menuImport', route: importAccounts },
  { key: 'statements', path: '/statements', label: 'menuStatements', route: listStatements },
  { key: 'reports', path: '/reports', label: 'menuReports', route: getTurnoverReportRoute },
  { key: 'policy', path: '/policy', label: 'menuPolicy', route: getCampusPolicy },
  { key: 'staff', path: '/staff', label: 'menuStaff', route: listStaffRoute },
];

export interface AppProps {
  client?: ConsoleClientOptions;
  lang?: Lang;
}

export function App({ client: options, lang }: AppProps) {
  return (
    <I18nProvider initial={lang}>
      <Themed>
        <Shell options={options} />
      </Themed>
    </I18nProvider>
  );
}

function Themed({ children }: { children: React.ReactNode }) {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} button={{ autoInsertSpace: false }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

function Loading() {
  const { t } = useI18n();
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin /> <Typography.Text type="secondary">{t('loading')}</Typography.Text>
    </div>
  );
}

function Shell({ options }: { options?: ConsoleClientOptions }) {
  const navigate = useNavigate();
  const location = useLocation();
  const client = useMemo(() => new ConsoleClient(options), [options]);
  const [session, setSession] = useState<StaffSession | undefined>(() => client.session());
  useEffect(() => {
    client.onUnauthorized = () => {
      setSession(undefined);
      navigate('/sign-in', { state: { from: location.pathname } });
    };
  }, [client, navigate, location.pathname]);
  const signOut = useCallback(() => {
    client.signOut();
    setSession(undefined);
    navigate('/sign-in');
  }, [client, navigate]);

  if (!session)
    return (
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route
            path="/sign-in"
            element={
              <SignIn
                client={client}
                onSignedIn={setSession}
              />
            }
          />
          <Route path="*" element={<Navigate to="/sign-in" replace state={{ from: location.pathname }} />} />
        </Routes>
      </Suspense>
    );
  return (
    <ConsoleProvider value={{ client, session, signOut }}>
      <SignedIn session={session} signOut={signOut} />
    </ConsoleProvider>
  );
}

function SignedIn({ session, signOut }: { session: StaffSession; signOut(): void }) {
  const { t, name, lang, setLang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = SCREENS.filter((screen) => allowed(screen.route, session.role));
  const selected = screens.find((screen) => location.pathname.startsWith(screen.path))?.key;
  const home = screens[0]?.path ?? '/accounts';
  const from = (location.state as { from?: string } | null)?.from;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} theme="dark" breakpoint="lg" collapsedWidth={64}>
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', color: '#fff', fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap', overflow: 'hidden' }}>{t('appName')}</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          items={screens.map((screen) => ({ key: screen.key, label: <span data-testid={`menu-${screen.key}`}>{t(screen.label)}</span> }))}
          onClick={({ key }) => navigate(screens.find((screen) => screen.key === key)!.path)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 16, boxShadow: '0 1px 4px rgba(0,21,41,0.08)' }}>
          <Space>
            <span data-testid="header-user">{session.username}</span>
            <Tag color="blue" data-testid="header-role" data-role={session.role}>
              {name(session.role)}
            </Tag>
          </Space>
          <Segmented<Lang>
            data-testid="lang-switch"
            value={lang}
            onChange={setLang}
            options={[
              { label: '中文', value: 'zh' },
              { label: 'EN', value: 'en' },
            ]}
          />
          <Button data-testid="sign-out" onClick={signOut}>
            {t('signOut')}
          </Button>
        </Layout.Header>
        <Layout.Content style={{ margin: 24, minWidth: 0 }}>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/dashboard" element={<Dashboard />} />
              <Route path="/accounts" element={<AccountSearch />} />
              <Route path="/accounts/:accountNo" element={<AccountPage />} />
              <Route path="/audit" element={<AuditLog />} />
              <Route path="/findings" element={<Queue />} />
              <Route path="/disputes" element={<Disputes />} />
              <Route path="/found-cards" element={<FoundCards />} />
              <Route path="/terminals" element={<Terminals />} />
              <Route path="/import" element={<Import />} />
              <Route path="/statements" element={<Statements />} />
              <Route path="/reports" element={<Reports />} />
              <Route path="/policy" element={<Policy />} />
              <Route path="/staff" element={<Staff />} />
              {/* Just signed in: back to where the sign-in was asked for (a deep link, an expired session), else home. */}
              <Route path="/sign-in" element={<Navigate to={from && from !== '/sign-in' && from !== '/' ? from : home} replace />} />
              <Route path="*" element={<Navigate to={home} replace />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
