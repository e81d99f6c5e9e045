// The single-file ESM build of ECharts has no typings of its own: it is the same API as the package's entry point.
declare module 'echarts/dist/echarts.esm.min.mjs' {
  export * from 'echarts';
}
