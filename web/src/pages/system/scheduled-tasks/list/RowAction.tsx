import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { icon: ReactNode; danger?: boolean };

/**
 * An icon button of a list row, looking like antd's small link button. A plain `<button>`: a
 * page of 100 rows had 500 antd Buttons, each with its style lookups and click wave
 * (web/README.md, "Speed with 1,000 tasks"). The ref lets a Tooltip or Popconfirm wrap it.
 */
export const RowAction = forwardRef<HTMLButtonElement, Props>(function RowAction({ icon, danger, className, ...button }, ref) {
  return (
    <button ref={ref} type="button" className={`row-action${danger ? ' row-action-danger' : ''}${className ? ` ${className}` : ''}`} {...button}>
      {icon}
    </button>
  );
});
