import type { DragEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { NODE_TYPES } from '../shared.js';
import type { XY } from '../model.js';
import { DND_TYPE } from './Canvas.js';

/**
 * One entry per node type: drag it onto the canvas, or click it to add the node in the middle
 * of the visible canvas (moved down below any card already there). Must be inside the `ReactFlowProvider`.
 */
export function Palette({ onAdd, disabled, onUpload, promptNames }: {
  onAdd: (type: string, position: XY, avoidOverlap: boolean) => void;
  disabled: boolean;
  /** Upload a WAV file as an IVR prompt. */
  onUpload: (file: File) => void;
  /** Prompt files on the server. */
  promptNames: readonly string[];
}) {
  const { t } = useTranslation();
  const { screenToFlowPosition } = useReactFlow();

  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(DND_TYPE, type);
    e.dataTransfer.setData('text/plain', type);
    e.dataTransfer.effectAllowed = 'copy';
  };

  const addInMiddle = (type: string) => {
    const el = document.querySelector('.canvas')?.getBoundingClientRect();
    const p = el ? screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
    onAdd(type, { x: p.x - 100, y: p.y - 50 }, true);
  };

  return (
    <aside className="palette" aria-label={t('palette.title')}>
      <h2>{t('palette.title')}</h2>
      <p className="hint">{t('palette.hint')}</p>
      <ul>
        {NODE_TYPES.map((type) => (
          <li key={type}>
            <button
              type="button"
              className={`palette-item palette-item--${type}`}
              data-testid={`palette-${type}`}
              draggable={!disabled}
              disabled={disabled}
              onDragStart={(e) => onDragStart(e, type)}
              onClick={() => addInMiddle(type)}
              title={t(`nodeDesc.${type}`)}
            >
              <span className="palette-item__name">{t(`nodeTypes.${type}`)}</span>
              <span className="palette-item__type">{type}</span>
            </button>
          </li>
        ))}
      </ul>
      <h2>{t('palette.prompts')}</h2>
      <label className="palette-upload">
        {t('palette.upload')}
        <input
          type="file"
          accept=".wav,audio/wav"
          data-testid="prompt-upload"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onUpload(file);
            e.target.value = '';
          }}
        />
      </label>
      <ul className="palette-prompts" data-testid="prompt-list">
        {promptNames.map((n) => (
          <li key={n} title={n}>
            {n}
          </li>
        ))}
      </ul>
    </aside>
  );
}
