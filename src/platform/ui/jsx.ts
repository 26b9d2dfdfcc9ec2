/**
 * The JSX types the UI uses, in one place. Pages are Preact elements rendered to strings on the
 * server (preact-render-to-string); no client-side Preact is shipped.
 */
import type { ComponentChildren, FunctionComponent, RenderableProps, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export type Child = ComponentChildren;
export type FC<P = object> = FunctionComponent<P>;
export type PropsWithChildren<P = object> = RenderableProps<P>;

/** Renders an element to HTML synchronously; components are plain functions, none is async. */
export const renderHtml = (node: Child): string => renderToString(node as VNode);
