/**
 * One ECharts chart over echarts.init (no wrapper library: the maintained ones lag React 19). Only
 * the chart kinds and components the console draws are registered, with the SVG renderer: a smaller
 * bundle than the whole of ECharts, and sharp in screenshots and print.
 */
import { useEffect, useRef } from 'react';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { BarSeriesOption, PieSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';

use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/** The console's chart margins; ECharts 6 keeps axis labels inside them by itself (grid.containLabel is deprecated). */
export const CHART_GRID = { left: 8, right: 16, top: 16, bottom: 8 };

export type ChartOption = ComposeOption<BarSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

export function Chart({ option, height = 280, testId }: { option: ChartOption; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);
  useEffect(() => {
    const element = box.current!;
    const instance = init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, []);
  useEffect(() => {
    // No animation: figures for a counter and for finance are read at once, and a screenshot shows them as they are.
    chart.current?.setOption({ animation: false, ...option }, true);
  }, [option]);
  return <div ref={box} data-testid={testId} style={{ width: '100%', height }} />;
}
