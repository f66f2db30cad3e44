export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/login/index',
    'pages/bind/index',
    'pages/history/index',
    'pages/receipt/index',
    'pages/topup/index',
    'pages/card/index',
    'pages/settings/index',
    'pages/utilities/index',
  ],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#0b6e4f',
    navigationBarTitleText: '校园卡',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f3f5f4',
  },
});
