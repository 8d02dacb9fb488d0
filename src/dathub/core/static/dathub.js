// Loaded as a module, so it runs only in browsers GOV.UK Frontend supports.
import { initAll } from "./vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Elements that ask for it are refreshed until their work is done (import and report progress).
document.addEventListener("htmx:afterSettle", () => initAll());
