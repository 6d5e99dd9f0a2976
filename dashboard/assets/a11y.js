// Corrects two Dash 4 components whose markup fails WCAG checks (axe-core), without changing how
// they work, and one that scrambles fast typing:
// - dcc.Checklist renders a role="listbox" of role="option" labels that each hold a checkbox: an
//   interactive control inside another, and a listbox with no name. Checkboxes need neither
//   role; the list becomes a group named by its fieldset's legend.
// - dcc.Dropdown keeps a hidden input (aria-hidden) in the tab order that only forwards focus to
//   its own button (kept out of the tab order): the button takes its place, and its name starts
//   with its label's text (it was only the value, e.g. "Any actor").
// - dcc.Input with debounce puts the caret back, in a timeout, where it was when the last key
//   changed the text; a key typed before that timeout fires lands one place back ("rail" came
//   out "rali"). The text is React's own state, so nothing moved the caret that needs putting
//   back: a collapsed caret set while the input has focus, elsewhere than where it is, is
//   ignored (a selection, or a call while it has no focus, goes through).
// React sets these attributes only when its own props change, so a fix made here stays until it
// re-renders that element, and the observer below makes it again then.
(function () {
  function nameGroup(list) {
    list.setAttribute("role", "group");
    var fieldset = list.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend) {
      if (!legend.id) legend.id = list.id + "-legend";
      list.setAttribute("aria-labelledby", legend.id);
    }
  }

  function labelDropdown(button) {
    button.setAttribute("tabindex", "0");
    var label = button.id && document.querySelector('label[for="' + button.id + '"]');
    var named = button.getAttribute("aria-labelledby") || "";
    if (label) {
      if (!label.id) label.id = button.id + "-label";
      if (named.split(" ")[0] !== label.id) button.setAttribute("aria-labelledby", (label.id + " " + named).trim());
    }
  }

  function keepCaret(input) {
    if (input.keepsCaret) return;
    input.keepsCaret = true;
    var own = input.setSelectionRange;
    input.setSelectionRange = function (start, end, direction) {
      if (document.activeElement === input && start === end && start !== input.selectionStart) return;
      return own.call(input, start, end, direction);
    };
  }

  function fix(root) {
    root.querySelectorAll("input.dash-input-element").forEach(keepCaret);
    root.querySelectorAll('.dash-checklist[role="listbox"]').forEach(nameGroup);
    root.querySelectorAll('.dash-checklist [role="option"]').forEach(function (option) {
      option.removeAttribute("role");
      option.removeAttribute("aria-selected");
    });
    root.querySelectorAll('.dash-dropdown-focus-target[tabindex="0"]').forEach(function (input) {
      input.setAttribute("tabindex", "-1");
    });
    root.querySelectorAll('button.dash-dropdown[tabindex="-1"]').forEach(labelDropdown);
  }

  function start() {
    var queued = false;
    fix(document);
    // One pass per frame, however many mutations the frame had (the grid makes many).
    new MutationObserver(function () {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () { queued = false; fix(document); });
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["role", "aria-selected", "tabindex", "aria-labelledby"],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
