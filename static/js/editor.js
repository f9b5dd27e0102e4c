/*
 * The section editor: writing like in Word, storing Markdown.
 *
 * This is the SOURCE of static/vendor/editor.js. It imports Tiptap from node_modules and is
 * bundled by esbuild (`npm run build:editor`); pages load only the bundle. Edit this file, then
 * rebuild and commit both.
 *
 * Progressive enhancement: the form keeps its <textarea data-editor="markdown">. Without
 * JavaScript (or if this script fails) the textarea is what people edit. With it, the textarea
 * is hidden but stays in the form, and every change in the editor writes Markdown back into it,
 * so the form posts exactly what it posted before. Nothing is written back until the person
 * changes something: saving an untouched text stores it byte for byte.
 *
 * The toolbar's markup (buttons, their labels in the page's language) comes from the Django
 * template documents/_editor_toolbar.html as a <template>; this script only wires it up.
 * No inline styles or <style> elements are created (the Content-Security-Policy allows none):
 * Tiptap's injected CSS is off and the editor's few rules are in samverka.css.
 */
import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import { Markdown } from "@tiptap/markdown";
import { Marked } from "marked";
import Heading from "@tiptap/extension-heading";
import Paragraph from "@tiptap/extension-paragraph";

/* ---------- Extensions fitted to the Markdown that documents/markdown.py renders ---------- */

// Cell alignment is kept (":---:" in Markdown) but shown through a data attribute and CSS, not
// a style attribute, which the Content-Security-Policy would refuse.
function alignAttribute() {
  return {
    align: {
      default: null,
      parseHTML: (element) => {
        const value = element.getAttribute("data-align") || element.style.textAlign || "";
        return ["left", "center", "right"].includes(value) ? value : null;
      },
      renderHTML: (attributes) => (attributes.align ? { "data-align": attributes.align } : {}),
    },
  };
}

// Headings as the page shows them: the section title is h2, so "#" and "##" are h3, "###" h4,
// and so on (documents/markdown.py); the level itself is kept in data-level for copy and paste.
const PageHeading = Heading.extend({
  parseHTML() {
    return [1, 2, 3, 4, 5, 6].map((level) => ({
      tag: `h${level}`,
      getAttrs: (element) => ({ level: Number(element.getAttribute("data-level")) || level }),
    }));
  },
  renderHTML({ node, HTMLAttributes }) {
    const shown = Math.min(6, Math.max(3, node.attrs.level + 1));
    return [`h${shown}`, { ...HTMLAttributes, "data-level": node.attrs.level }, 0];
  },
});

// Text that would read as Markdown block syntax at the start of a line ("1986. Ett år" would
// become a numbered list, "- " a bullet, "# " a heading, "> " a quote) is escaped with a
// backslash, which Markdown shows as nothing. Tiptap's serializer leaves it as it is.
const BLOCK_START = [
  [/^( {0,3})(\d{1,9})([.)])(?=\s|$)/, "$1$2\\$3"],
  [/^( {0,3})([-+*]|#{1,6}|`{3,}|~{3,})(?=\s|$)/, "$1\\$2"],
  [/^( {0,3})>/, "$1\\>"],
  [/^( {0,3})(=+|-+)\s*$/, "$1\\$2"],
];

function escapeBlockStarts(markdown) {
  return markdown
    .split("\n")
    .map((line) => BLOCK_START.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), line))
    .join("\n");
}

// The page's Markdown has no task lists: "- [ ] text" is a bullet that starts with "[ ]". The
// editor's parser (marked, GFM) would take the box away, so it is escaped before reading.
function withoutTaskBoxes(markdown) {
  return markdown.replace(/^(\s*(?:[-+*]|\d{1,9}[.)])\s+)\[([ xX])\]/gm, "$1\\[$2]");
}

const PlainParagraph = Paragraph.extend({
  renderMarkdown(node, helpers, context) {
    return escapeBlockStarts(this.parent(node, helpers, context));
  },
});

// A Markdown table cell is one line: paragraphs only (no lists or headings in a cell), and
// when a cell has several they are joined by a space (Tiptap would write "<br>", which the page
// shows as it is, since raw HTML is off).
const Cell = TableCell.extend({
  content: "paragraph+",
  addAttributes() {
    return { ...this.parent?.(), ...alignAttribute() };
  },
});
const HeaderCell = TableHeader.extend({
  content: "paragraph+",
  addAttributes() {
    return { ...this.parent?.(), ...alignAttribute() };
  },
});

// A plain <table><tbody>: no column widths, no style attribute, and Tab leaves the table (as it
// leaves any field) instead of walking the cells and adding rows without end.
const PlainTable = Table.extend({
  renderHTML({ HTMLAttributes }) {
    const attributes = { ...HTMLAttributes };
    delete attributes.style;
    return ["table", attributes, ["tbody", 0]];
  },
  addKeyboardShortcuts() {
    return {};
  },
  renderMarkdown(node, helpers, context) {
    return this.parent(node, helpers, context).replace(/<br>/g, " ");
  },
});

// The parser, one per editor: GFM as markdown-it's "commonmark" with tables and strikethrough,
// so without GFM's bare-address links (the page shows "https://…" in text as text).
function markdownParser() {
  const parser = new Marked({ gfm: true });
  parser.use({ tokenizer: { url: () => undefined } });
  return parser;
}

function extensions() {
  return [
    StarterKit.configure({
      // Markdown has no underline; headings and paragraphs are the versions below.
      underline: false,
      heading: false,
      paragraph: false,
      // Tab moves to the next field everywhere; list items are indented with the toolbar.
      listKeymap: false,
      link: {
        openOnClick: false,
        autolink: false,
        linkOnPaste: true,
        protocols: ["http", "https", "mailto"],
        HTMLAttributes: { target: null, rel: null },
      },
    }),
    PlainParagraph,
    PageHeading.configure({ levels: [1, 2, 3, 4, 5, 6] }),
    // No node view: Tiptap's sets column widths, which Markdown cannot keep.
    PlainTable.configure({ resizable: false, View: null }),
    TableRow,
    HeaderCell,
    Cell,
    Markdown.configure({ marked: markdownParser() }),
  ];
}

/* ---------- Word's clipboard HTML ---------- */

// Word writes list items as paragraphs ("MsoListParagraph", style "mso-list:l0 level2 lfo1")
// whose bullet or number is text inside a span marked "mso-list:Ignore". These become real
// lists; tables get a header row (Markdown tables always have one); Word's own markup goes.
function listInfo(paragraph) {
  const style = paragraph.getAttribute("style") || "";
  const match = style.match(/mso-list:\s*(l\d+)\s+level(\d+)/i);
  const isList = match || /MsoListParagraph/i.test(paragraph.className || "");
  if (!isList) return null;
  const marker = paragraph.querySelector('span[style*="mso-list:Ignore"], span[style*="mso-list: Ignore"]');
  const markerText = marker ? marker.textContent.replace(/\s+/g, "") : "";
  const ordered = /^(\(?[0-9]+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]$/.test(markerText);
  return {
    list: match ? match[1] : "l0",
    level: match ? Number(match[2]) : 1,
    ordered,
    marker,
  };
}

function wordListsToHtmlLists(root) {
  const paragraphs = Array.from(root.querySelectorAll("p"));
  const done = new Set();
  for (const first of paragraphs) {
    if (done.has(first)) continue;
    const info = listInfo(first);
    if (!info) continue;
    // The run of list paragraphs that follow each other directly.
    const run = [];
    let node = first;
    // Another list (Word's list id) or kind of list at the top level starts a new list.
    const continues = (next) => next.level > info.level
      || (next.list === info.list && next.ordered === info.ordered);
    while (node && node.nodeType === 1 && node.tagName === "P" && listInfo(node) && continues(listInfo(node))) {
      run.push(node);
      done.add(node);
      node = node.nextElementSibling;
    }
    const top = document.createElement(info.ordered ? "ol" : "ul");
    first.parentNode.insertBefore(top, first);
    const stack = [{ list: top, level: info.level, item: null }];
    for (const paragraph of run) {
      const current = listInfo(paragraph);
      if (current.marker) {
        // The marker's wrapper span (and Word's conditional comments around it) go.
        const wrapper = current.marker.parentElement && current.marker.parentElement !== paragraph
          ? current.marker.parentElement
          : current.marker;
        wrapper.remove();
      }
      let level = stack[stack.length - 1];
      while (current.level < level.level && stack.length > 1) {
        stack.pop();
        level = stack[stack.length - 1];
      }
      if (current.level > level.level && level.item) {
        const nested = document.createElement(current.ordered ? "ol" : "ul");
        level.item.appendChild(nested);
        level = { list: nested, level: current.level, item: null };
        stack.push(level);
      }
      const item = document.createElement("li");
      const content = document.createElement("p");
      while (paragraph.firstChild) content.appendChild(paragraph.firstChild);
      item.appendChild(content);
      level.list.appendChild(item);
      level.item = item;
      paragraph.remove();
    }
  }
}

function tablesGetHeaderRows(root) {
  for (const table of root.querySelectorAll("table")) {
    if (table.querySelector("th")) continue;
    const firstRow = table.querySelector("tr");
    if (!firstRow) continue;
    for (const cell of Array.from(firstRow.children)) {
      if (cell.tagName !== "TD") continue;
      const header = document.createElement("th");
      while (cell.firstChild) header.appendChild(cell.firstChild);
      cell.replaceWith(header);
    }
  }
}

export function cleanPastedHtml(html) {
  if (!/mso-|urn:schemas-microsoft-com|<table/i.test(html)) return html;
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const body = parsed.body;
  // Word's comments (conditional sections) and its own elements (<o:p>) carry no text we keep.
  const walker = parsed.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
  const comments = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  comments.forEach((comment) => comment.remove());
  body.querySelectorAll("style, meta, link, xml").forEach((element) => element.remove());
  for (const element of Array.from(body.getElementsByTagName("*"))) {
    if (element.tagName.includes(":")) element.replaceWith(...element.childNodes);
  }
  wordListsToHtmlLists(body);
  tablesGetHeaderRows(body);
  // Word's "Title" style is a paragraph; make it a heading, as it looks.
  body.querySelectorAll("p.MsoTitle").forEach((title) => {
    const heading = parsed.createElement("h2");
    while (title.firstChild) heading.appendChild(title.firstChild);
    title.replaceWith(heading);
  });
  return body.innerHTML;
}

/* ---------- Toolbar ---------- */

const COMMANDS = {
  paragraph: (chain) => chain.setParagraph(),
  heading: (chain) => chain.toggleHeading({ level: 2 }),
  subheading: (chain) => chain.toggleHeading({ level: 3 }),
  bold: (chain) => chain.toggleBold(),
  italic: (chain) => chain.toggleItalic(),
  bulletList: (chain) => chain.toggleBulletList(),
  orderedList: (chain) => chain.toggleOrderedList(),
  indent: (chain) => chain.sinkListItem("listItem"),
  outdent: (chain) => chain.liftListItem("listItem"),
  insertTable: (chain) => chain.insertTable({ rows: 3, cols: 2, withHeaderRow: true }),
  addRow: (chain) => chain.addRowAfter(),
  addColumn: (chain) => chain.addColumnAfter(),
  deleteRow: (chain) => chain.deleteRow(),
  deleteColumn: (chain) => chain.deleteColumn(),
  deleteTable: (chain) => chain.deleteTable(),
  undo: (chain) => chain.undo(),
  redo: (chain) => chain.redo(),
};

// Whether a button's command is "on" where the cursor is (aria-pressed).
const ACTIVE = {
  paragraph: (editor) => !editor.isActive("heading"),
  heading: (editor) => editor.isActive("heading", { level: 2 }) || editor.isActive("heading", { level: 1 }),
  subheading: (editor) => editor.isActive("heading", { level: 3 }),
  bold: (editor) => editor.isActive("bold"),
  italic: (editor) => editor.isActive("italic"),
  bulletList: (editor) => editor.isActive("bulletList"),
  orderedList: (editor) => editor.isActive("orderedList"),
  link: (editor) => editor.isActive("link"),
};

function setLink(editor, button) {
  const previous = editor.getAttributes("link").href || "";
  // The browser's own dialog: labelled, modal and reachable by keyboard and screen reader.
  const href = window.prompt(button.dataset.prompt || "URL", previous);
  if (href === null) return;
  const value = href.trim();
  if (!value) {
    editor.chain().focus().extendMarkRange("link").unsetLink().run();
    return;
  }
  if (editor.state.selection.empty && !editor.isActive("link")) {
    editor.chain().focus().insertContent({ type: "text", text: value, marks: [{ type: "link", attrs: { href: value } }] }).run();
  } else {
    editor.chain().focus().extendMarkRange("link").setLink({ href: value }).run();
  }
}

function wireToolbar(toolbar, editor) {
  const all = Array.from(toolbar.querySelectorAll("button[data-command]"));
  let buttons = all;
  let current = 0;

  function roving(index) {
    current = (index + buttons.length) % buttons.length;
    all.forEach((button) => button.setAttribute("tabindex", button === buttons[current] ? "0" : "-1"));
  }

  function refresh() {
    const focused = buttons[current];
    const inTable = editor.isActive("table");
    all.forEach((button) => {
      const name = button.dataset.command;
      // The row and column buttons are there only in a table (fewer buttons on a phone).
      if (button.hasAttribute("data-in-table")) button.hidden = !inTable;
      if (ACTIVE[name]) button.setAttribute("aria-pressed", ACTIVE[name](editor) ? "true" : "false");
      if (name === "link" || name === "paragraph") return;
      const run = COMMANDS[name];
      const can = run ? run(editor.can().chain().focus()).run() : true;
      // aria-disabled keeps the button in the arrow-key order and announced as unavailable.
      button.setAttribute("aria-disabled", can ? "false" : "true");
    });
    buttons = all.filter((button) => !button.hidden);
    roving(Math.max(0, buttons.indexOf(focused)));
  }

  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    if (!button || !toolbar.contains(button)) return;
    event.preventDefault();
    roving(buttons.indexOf(button));
    if (button.getAttribute("aria-disabled") === "true") return;
    const name = button.dataset.command;
    if (name === "link") {
      setLink(editor, button);
    } else {
      COMMANDS[name](editor.chain().focus()).run();
    }
    refresh();
  });

  toolbar.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = index + 1;
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = index - 1;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    else if (event.key === "Escape") {
      event.preventDefault();
      editor.commands.focus();
      return;
    }
    if (next === null) return;
    event.preventDefault();
    roving(next);
    buttons[current].focus();
  });

  roving(0);
  editor.on("selectionUpdate", refresh);
  editor.on("transaction", refresh);
  refresh();
  return { focus: () => buttons[current].focus() };
}

/* ---------- Setting up one textarea ---------- */

function describedBy(textarea, form) {
  // The ids the field names (Django's "…_helptext") and those _field.html gives its help and
  // error, as far as they are in this form.
  const given = (textarea.getAttribute("aria-describedby") || "").split(/\s+/);
  const ids = [...given, `${textarea.id}-help`, `${textarea.id}-error`];
  const present = ids.filter((id, i) => id && ids.indexOf(id) === i && form.querySelector(`[id="${id}"]`));
  return present.join(" ");
}

let counter = 0;

function enhance(textarea) {
  if (textarea.dataset.editorReady) return;
  const form = textarea.form;
  const template = form && form.querySelector("template[data-editor-toolbar]");
  if (!template) return;
  textarea.dataset.editorReady = "1";

  const wrapper = template.content.firstElementChild.cloneNode(true);
  const toolbar = wrapper.querySelector("[role=toolbar]");
  const surface = wrapper.querySelector("[data-editor-surface]");
  const toggle = wrapper.querySelector("[data-editor-toggle]");
  textarea.after(wrapper);

  // Within the form: the document page can hold two forms whose fields share an id.
  const label = form.querySelector(`label[for="${textarea.id}"]`);
  counter += 1;
  if (label && !label.id) label.id = `${textarea.id}-label-${counter}`;
  const attributes = {
    role: "textbox",
    "aria-multiline": "true",
    id: `${textarea.id}-editor-${counter}`,
    class: "editor__content",
    spellcheck: "true",
    lang: document.documentElement.lang || "sv",
  };
  if (label) attributes["aria-labelledby"] = label.id;
  const description = describedBy(textarea, form);
  if (description) attributes["aria-describedby"] = description;
  if (textarea.getAttribute("aria-invalid") === "true" || textarea.closest(".field--error")) {
    attributes["aria-invalid"] = "true";
  }

  let changed = false;
  const editor = new Editor({
    element: surface,
    extensions: extensions(),
    content: withoutTaskBoxes(textarea.value),
    contentType: "markdown",
    injectCSS: false,
    editorProps: { attributes, transformPastedHTML: cleanPastedHtml },
    onUpdate: ({ editor: current }) => {
      changed = true;
      textarea.value = current.getMarkdown();
    },
  });
  toolbar.setAttribute("aria-controls", attributes.id);
  const bar = wireToolbar(toolbar, editor);

  // Alt+F10 goes from the text to the toolbar, as in Word and most editors; Escape comes back.
  editor.view.dom.addEventListener("keydown", (event) => {
    if (event.altKey && event.key === "F10") {
      event.preventDefault();
      bar.focus();
    }
  });

  // The label and links to the field (the error summary's "#id_body") lead into the editor.
  const focusEditor = (event) => {
    if (textarea.hidden) {
      event.preventDefault();
      editor.commands.focus();
    }
  };
  if (label) label.addEventListener("click", focusEditor);
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest(`a[href="#${textarea.id}"]`);
    if (link) focusEditor(event);
  });

  // "Edit as plain text" shows the Markdown itself; switching back reads it in again.
  if (toggle) {
    toggle.addEventListener("click", () => {
      const showSource = textarea.hidden;
      if (showSource) {
        if (changed) textarea.value = editor.getMarkdown();
        textarea.hidden = false;
        surface.hidden = true;
        toolbar.hidden = true;
        textarea.focus();
      } else {
        editor.commands.setContent(withoutTaskBoxes(textarea.value), { contentType: "markdown", emitUpdate: false });
        changed = false;
        textarea.hidden = true;
        surface.hidden = false;
        toolbar.hidden = false;
        editor.commands.focus();
      }
      toggle.setAttribute("aria-pressed", showSource ? "true" : "false");
    });
  }

  // Belt and braces: the textarea holds the latest text when the form is sent (also by htmx).
  form.addEventListener("submit", () => {
    if (changed && textarea.hidden) textarea.value = editor.getMarkdown();
  }, true);

  textarea.hidden = true;
  wrapper.hidden = false;
  // For the browser tests: read Markdown in as the editor does, and write it out.
  textarea.samverkaMarkdown = {
    load: (text) => editor.commands.setContent(withoutTaskBoxes(text), { contentType: "markdown", emitUpdate: false }),
    save: () => editor.getMarkdown(),
  };
}

function enhanceWithin(root) {
  const scope = root && root.querySelectorAll ? root : document;
  scope.querySelectorAll('textarea[data-editor="markdown"]').forEach((textarea) => {
    try {
      enhance(textarea);
    } catch (error) {
      // The plain textarea stays usable when the editor cannot start.
      textarea.hidden = false;
      console.error(error); // eslint-disable-line no-console
    }
  });
}

enhanceWithin(document);
// Section forms that htmx brings into the document page.
document.addEventListener("htmx:load", (event) => enhanceWithin(event.target));
