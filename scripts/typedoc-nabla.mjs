// nabla's TypeDoc plugin (typedoc.json "plugin"), two adjustments to what the reference shows
// and what its validation (`npm run docs`, test/docs.test.ts) demands:
//
// 1. The Tensor methods that the op table attaches (x.add(y), x.relu(), ...; src/ops/table.ts
//    types them as the mapped type TensorMethods) have no declaration of their own to carry a
//    comment: each one is its op. Each such method of Tensor (and of its subclasses Parameter and
//    Buffer) gets the doc comment of its op function, headed by a link to it, so x.op(...) is
//    documented where the op is and nowhere else. A method whose op has no comment stays
//    undocumented, and the validation names it.
// 2. TypeDoc copies a base class's (or base interface's) comment to a subclass that has none, so
//    an undocumented layer would pass the validation with Module's description. A class or
//    interface must describe itself: one without its own comment loses the copied one, and the
//    validation names it. (Members still inherit their base member's comment, as they should:
//    Linear.parameters() is Module.parameters().)

import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  const uncommented = new Set();
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    uncommented.clear();
    for (const r of context.project.getReflectionsByKind(ReflectionKind.Class | ReflectionKind.Interface)) {
      if (!r.comment) uncommented.add(r);
    }
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const project = context.project;
    for (const r of uncommented) delete r.comment;

    // The op functions: top-level functions of the entry modules, by name.
    const ops = new Map();
    for (const fn of project.getReflectionsByKind(ReflectionKind.Function)) {
      if (fn.parent?.kindOf(ReflectionKind.Module) && fn.signatures?.[0]?.hasComment()) ops.set(fn.name, fn);
    }
    const isTensorClass = (c) =>
      c.name === 'Tensor' ||
      (c.extendedTypes ?? []).some((t) => t.name === 'Tensor' || (t.reflection && isTensorClass(t.reflection)));
    for (const prop of project.getReflectionsByKind(ReflectionKind.Property)) {
      if (prop.hasComment() || !prop.parent?.kindOf(ReflectionKind.Class) || !isTensorClass(prop.parent)) continue;
      const op = ops.get(prop.name);
      if (!op) continue;
      const comment = op.signatures[0].comment.clone();
      comment.summary = [
        { kind: 'text', text: '`x.' + prop.name + '(...rest)` is ' },
        { kind: 'inline-tag', tag: '@link', text: prop.name, target: op },
        { kind: 'text', text: '`(x, ...rest)`: ' },
        ...comment.summary,
      ];
      prop.comment = comment;
    }
  });
}
