import { Tooltip, type TooltipProps } from 'antd';
import { cloneElement, type ReactElement, useEffect, useRef, useState } from 'react';

type Handler = (event: never) => void;
type Child = ReactElement<Record<string, unknown>>;

/**
 * antd's Tooltip (shown on hover), mounted at the first hover of its child. A Tooltip is a trigger with
 * its own styles, refs and listeners, and a list page of 100 rows had hundreds that nobody
 * opened (web/README.md, "Speed with 1,000 tasks").
 */
export function HoverTip({ children, ...tooltip }: TooltipProps & { children: Child }) {
  const [armed, setArmed] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  if (armed) {
    // Open at once: the pointer that armed it is already there.
    return (
      <Tooltip {...tooltip} defaultOpen>
        {children}
      </Tooltip>
    );
  }
  // Handlers a wrapping trigger gives (a LazyPopconfirm's click) reach the child as well as its
  // own, as Tooltip passes them on.
  const handlers: Record<string, Handler> = {};
  for (const [key, value] of Object.entries(tooltip)) {
    if (key.startsWith('on') && typeof value === 'function') handlers[key] = value as Handler;
  }
  const own = (key: string, event: never) => {
    (children.props[key] as Handler | undefined)?.(event);
    handlers[key]?.(event);
  };
  const props: Record<string, Handler> = {};
  for (const key of Object.keys(handlers)) props[key] = (event) => own(key, event);
  // Arming remounts the child inside the Tooltip. On hover, after the Tooltip's own delay, and
  // not while a click is under way: a click whose press and release met two different
  // elements would be lost.
  props.onMouseEnter = (event) => {
    own('onMouseEnter', event);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setArmed(true), (tooltip.mouseEnterDelay ?? 0.1) * 1000);
  };
  props.onMouseLeave = (event) => {
    own('onMouseLeave', event);
    window.clearTimeout(timer.current);
  };
  props.onMouseDown = (event) => {
    own('onMouseDown', event);
    window.clearTimeout(timer.current);
  };
  // eslint-disable-next-line react-hooks/refs -- the handlers read the timer when called, not during render
  return cloneElement(children, props);
}
