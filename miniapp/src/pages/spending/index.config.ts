export default definePageConfig({ navigationBarTitleText: '消费分析', enablePullDownRefresh: true });
