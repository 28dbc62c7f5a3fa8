import { Popconfirm, type PopconfirmProps } from 'antd';
import { cloneElement, type MouseEvent, type ReactElement, useState } from 'react';

type Child = ReactElement<{ onClick?: (event: MouseEvent) => void }>;

/**
 * antd's Popconfirm, mounted at the first click on its child (open at once then): one per row
 * cost as much to mount as the row's other cells, for a question rarely asked.
 */
export function LazyPopconfirm({ children, ...popconfirm }: PopconfirmProps & { children: Child }) {
  const [armed, setArmed] = useState(false);
  if (armed) {
    return (
      <Popconfirm {...popconfirm} defaultOpen>
        {children}
      </Popconfirm>
    );
  }
  return cloneElement(children, {
    onClick: (event: MouseEvent) => {
      children.props.onClick?.(event);
      if (!popconfirm.disabled) setArmed(true);
    },
  });
}
