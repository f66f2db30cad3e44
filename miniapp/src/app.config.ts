export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/login/index',
    'pages/bind/index',
    'pages/history/index',
    'pages/spending/index',
    'pages/receipt/index',
    'pages/disputes/index',
    'pages/topup/index',
    'pages/card/index',
    'pages/settings/index',
    'pages/utilities/index',
    // A finder reports a found card (issue 18 lost and found).
    'pages/found-card/index',
    // A parent's top-up (issue 18): opened from a shared link, no sign-in.
    'pages/guardian/index',
    // Automatic reload (issue 18 item 2): from settings and top-up.
    'pages/auto-reload/index',
  ],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#0b6e4f',
    navigationBarTitleText: '校园卡',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f3f5f4',
  },
});
