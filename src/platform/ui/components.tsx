import type { Child, FC, PropsWithChildren } from './jsx.ts';
import { fieldMessage, type FieldError } from '../errors.ts';
import type { PageContext } from './context.ts';

/** The hidden anti-forgery field every POST form carries. */
export const CsrfField: FC<{ ctx: PageContext }> = ({ ctx }) => <input type="hidden" name="_csrf" value={ctx.csrfToken} />;

/** GOV.UK-style error summary: a list at the top linking to each field, focused by app.js. */
export const ErrorSummary: FC<{ ctx: PageContext; errors: FieldError[]; scope?: string | undefined }> = ({ ctx, errors, scope }) =>
  errors.length === 0 ? null : (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1} data-focus-on-load>
      <h2 id="error-summary-title">{ctx.t('error.summary_title')}</h2>
      <ul>
        {errors.map((e) => (
          <li>{e.field ? <a href={`#${fieldId(scope ? `${scope}-${e.field}` : e.field)}`}>{fieldMessage(ctx.t, e)}</a> : fieldMessage(ctx.t, e)}</li>
        ))}
      </ul>
    </div>
  );

export const fieldId = (name: string) => `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

interface InputProps {
  ctx: PageContext;
  name: string;
  label: string;
  value?: string | undefined;
  type?: 'text' | 'password' | 'email' | 'tel' | 'date' | 'datetime-local' | 'number' | 'url' | 'search';
  hint?: string;
  errors?: FieldError[];
  autocomplete?: string;
  inputmode?: 'numeric' | 'text' | 'tel' | 'email';
  required?: boolean;
  autofocus?: boolean;
  scope?: string | undefined;
}

interface FieldFrameProps {
  ctx: PageContext;
  name: string;
  label: string;
  hint?: string | undefined;
  errors?: FieldError[] | undefined;
  /** Where one page repeats a form (one per table row), a prefix keeping each control's id unique. */
  scope?: string | undefined;
}

/** What every control needs from its frame: id, invalid state, the ids describing it. */
interface ControlAttrs {
  id: string;
  name: string;
  'aria-invalid': 'true' | undefined;
  'aria-describedby': string | undefined;
}

/** A field's id, its own error and the ids describing its control (hint, error). */
function fieldState({ name, hint, errors, scope }: Pick<FieldFrameProps, 'name' | 'hint' | 'errors' | 'scope'>) {
  const id = fieldId(scope ? `${scope}-${name}` : name);
  const error = errors?.find((e) => e.field === name);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return { id, error, describedBy };
}

/** The hint and the error shown under a field's label or legend. */
function FieldNotes({ ctx, id, hint, error }: { ctx: PageContext; id: string; hint?: string | undefined; error?: FieldError | undefined }) {
  return (
    <>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="error-message" id={`${id}-error`}>
          {fieldMessage(ctx.t, error)}
        </p>
      ) : null}
    </>
  );
}

/** A labelled control showing its hint and its own error beside it (GOV.UK pattern). */
function FieldFrame(p: FieldFrameProps & { control: (a: ControlAttrs) => Child }) {
  const { id, error, describedBy } = fieldState(p);
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id}>{p.label}</label>
      <FieldNotes ctx={p.ctx} id={id} hint={p.hint} error={error} />
      {p.control({ id, name: p.name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy })}
    </div>
  );
}

/** A labelled input; keeps what the user typed (never a password). */
export const TextInput: FC<InputProps> = (p) => (
  <FieldFrame
    {...p}
    control={(a) => (
      <input
        {...a}
        // Preact types <input> as a union discriminated by `type`, which a union-typed value cannot
        // pick a branch of; every member of InputProps['type'] is valid there.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={(p.type ?? 'text') as 'text'}
        value={p.type === 'password' ? undefined : p.value}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        required={p.required}
        autofocus={p.autofocus}
      />
    )}
  />
);

/** A labelled file chooser; `accept` only guides the picker, the server checks the content. */
export const FileInput: FC<FieldFrameProps & { accept: string; required?: boolean }> = (p) => (
  <FieldFrame {...p} control={(a) => <input {...a} type="file" accept={p.accept} required={p.required} />} />
);

/** A labelled multi-line text field. */
export const TextArea: FC<FieldFrameProps & { value?: string | undefined; required?: boolean; rows?: number }> = (p) => (
  <FieldFrame {...p} control={(a) => <textarea {...a} rows={p.rows ?? 4} required={p.required} value={p.value ?? ''} />} />
);

/** A labelled drop-down list; `placeholder` adds an empty first choice. */
export const SelectInput: FC<
  FieldFrameProps & { value?: string | undefined; options: readonly { value: string; label: string }[]; placeholder?: string; required?: boolean }
> = (p) => (
  <FieldFrame
    {...p}
    control={(a) => (
      <select {...a} required={p.required}>
        {p.placeholder !== undefined ? <option value="">{p.placeholder}</option> : null}
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
    )}
  />
);

/** A yes/no fact as a labelled checkbox (posts `on` when ticked). */
export const Checkbox: FC<{ name: string; label: string; checked?: boolean | undefined; required?: boolean; value?: string }> = ({ name, label, checked, required, value }) => (
  <label class="checkbox">
    <input type="checkbox" name={name} checked={checked} required={required} value={value} /> {label}
  </label>
);

/** Several choices ticked at once, as one fieldset with its legend, hint and error (posts `name` once per ticked value). */
export const CheckboxGroup: FC<FieldFrameProps & { options: readonly { value: string; label: string }[]; checked?: readonly string[] | undefined }> = (p) => {
  const { id, error, describedBy } = fieldState(p);
  return (
    <fieldset id={id} class={error ? 'field field-error' : 'field'} aria-describedby={describedBy}>
      <legend>{p.label}</legend>
      <FieldNotes ctx={p.ctx} id={id} hint={p.hint} error={error} />
      {p.options.map((o) => (
        <Checkbox name={p.name} value={o.value} label={o.label} checked={p.checked?.includes(o.value)} />
      ))}
    </fieldset>
  );
};

export const Button: FC<PropsWithChildren<{ kind?: 'primary' | 'secondary' | 'danger' }>> = ({ kind, children }) => (
  <button type="submit" class={`button button-${kind ?? 'primary'}`}>
    {children}
  </button>
);

/** A POST form with its CSRF field. */
export const Form: FC<PropsWithChildren<{ ctx: PageContext; action: string; label?: string; files?: boolean }>> = ({ ctx, action, label, files, children }) => (
  <form method="post" action={action} novalidate aria-label={label} enctype={files ? 'multipart/form-data' : undefined}>
    <CsrfField ctx={ctx} />
    {children}
  </form>
);

/** A column of a {@link Table}: its header and how to show one row's cell. */
export interface Column<R> {
  label: string;
  cell: (row: R) => Child;
}

/**
 * A data table with column headers. On a phone each row becomes a card whose cells carry their
 * column's name (`data-label`, shown by the style sheet); wider, it scrolls sideways inside itself
 * when it must.
 */
export function Table<R>({ columns, rows, caption }: { columns: Column<R>[]; rows: readonly R[]; caption?: string }) {
  // Focusable, so a keyboard can scroll it where it scrolls.
  return (
    <table tabindex={0} class="table-cards">
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col">{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {columns.map((c) => (
              <td data-label={c.label}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
