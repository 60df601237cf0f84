/**
 * The equity curve, drawn by lightweight-charts into a canvas. The library
 * is loaded on first use (a lazy chunk), so screens without a chart do not
 * pay for it. Colours come from the CSS variables, so the chart follows the
 * light or dark theme, and it redraws on resize.
 *
 * @module
 */
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { ErrorNote } from "./ui";

/** A point: `time` in epoch seconds, strictly increasing. */
export interface ChartPoint {
  time: number;
  value: number;
}

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** An area chart of `points` with a label for screen readers. */
export function EquityChart({ points, label, baseline }: { points: ChartPoint[]; label: string; baseline: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let disposed = false;
    let cleanup = (): void => {};
    import("lightweight-charts")
      .then(({ createChart, BaselineSeries, ColorType }) => {
        if (disposed) return;
        const text = cssVar(el, "--muted", "#59636e");
        const grid = cssVar(el, "--line", "#d5dae0");
        const gain = cssVar(el, "--good", "#1a7f37");
        const loss = cssVar(el, "--bad", "#b3261e");
        const chart = createChart(el, {
          autoSize: true,
          layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: text, attributionLogo: false },
          grid: { vertLines: { color: grid }, horzLines: { color: grid } },
          rightPriceScale: { borderColor: grid },
          timeScale: { borderColor: grid, timeVisible: true },
          handleScroll: false,
          handleScale: false,
        });
        const series = chart.addSeries(BaselineSeries, {
          baseValue: { type: "price", price: baseline },
          topLineColor: gain,
          bottomLineColor: loss,
          topFillColor1: `${gain}40`,
          topFillColor2: `${gain}08`,
          bottomFillColor1: `${loss}08`,
          bottomFillColor2: `${loss}40`,
          lineWidth: 2,
        });
        series.setData(points.map((p) => ({ time: p.time as never, value: p.value })));
        chart.timeScale().fitContent();
        cleanup = () => chart.remove();
      })
      .catch((e: unknown) => setError(e));
    return () => {
      disposed = true;
      cleanup();
    };
  }, [points, baseline]);
  if (error) return <ErrorNote error={new Error("The chart could not be drawn. Reload the page to try again.")} />;
  return <div class="chart" ref={box} role="img" aria-label={label} data-points={String(points.length)} />;
}
