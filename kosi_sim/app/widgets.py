"""The app's own widgets, where Solara's would show numbers or words in English only.

* :func:`Chart`: Solara's ECharts widget with numbers in the app's language.  JSON cannot
  carry the formatter functions ECharts needs for "1.234" or "12,3 %", so an option may
  hold a ``kosi_format`` entry (:func:`kosi_sim.app.figures.chart_format`) that the
  widget's script (``charts.vue``) turns into axis-label and tooltip formatters.  Charts
  are drawn as SVG, so their labels are text in the page.
* :func:`VuetifyLanguage`: Vuetify's own texts (the data tables' footer) in the app's
  language (``vuetify_lang.vue``).
"""

from __future__ import annotations

import ipyvuetify
import solara
import traitlets
from solara.components.echarts import EchartsWidget

from . import i18n


class LocaleEchartsWidget(EchartsWidget):
    template_file = (__file__, "charts.vue")


@solara.component
def Chart(option: dict, attributes: dict | None = None):
    """One chart, resized with its container."""
    return LocaleEchartsWidget.element(
        option=option, attributes=attributes or {"style": "height: 290px"}, responsive=True
    )


class VuetifyLanguageWidget(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "vuetify_lang.vue")
    lang = traitlets.Unicode("en").tag(sync=True)
    messages = traitlets.Dict({}).tag(sync=True)


@solara.component
def VuetifyLanguage(lang: str):
    """Switches Vuetify's texts to ``lang`` (renders nothing visible)."""
    return VuetifyLanguageWidget.element(lang=lang, messages=i18n.vuetify_messages(lang))


@solara.component
def Prose(text: str):
    """The app's own Markdown text (headings, bold, lists, code) as HTML rendered on the
    server.  ``solara.Markdown`` would have the browser load KaTeX from a CDN for its maths,
    which the offline app does not serve; the texts here are the app's own, never a user's."""
    import markdown

    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text), classes=["kosi-prose"])
