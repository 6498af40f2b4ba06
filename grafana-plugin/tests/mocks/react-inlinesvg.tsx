import React from 'react';

// Grafana's Icon loads its SVG over the network through react-inlinesvg and
// sets state when the answer arrives, after a test has moved on. Tests need
// the icon only as an element, so render an empty <svg> at once.
type Props = React.SVGProps<SVGSVGElement> & { src?: string; cacheRequests?: boolean; innerRef?: unknown };

export default function InlineSVG({ src, cacheRequests, innerRef, ...rest }: Props) {
  return <svg data-src={src} {...rest} />;
}

export const cacheStore = {};
