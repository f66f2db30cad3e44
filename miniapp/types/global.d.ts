/// <reference types="@tarojs/taro" />

declare const ECARD_API_BASE: string;
declare const ECARD_LOCAL_CASHIER: boolean;

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'alipay' | 'h5';
  }
}

declare module '*.css';
declare module '*.png';
