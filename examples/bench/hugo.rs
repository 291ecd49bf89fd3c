//! The same generated handbook as a Hugo site, with templates of about the
//! weight of ours: a base with the section navigation, the urgent-help box
//! and a breadcrumb; pages with a table of contents, service cards, the
//! section's pages beside them and previous/next links; list pages for the
//! home and sections; links between pages resolved by a render hook.

use std::fs;
use std::io;
use std::path::Path;

use walkdir::WalkDir;

/// Writes a Hugo site at `site` from the handbook at `handbook`.
pub fn write(handbook: &Path, site: &Path) -> io::Result<()> {
    let content = site.join("content");
    for entry in WalkDir::new(handbook).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        let Ok(rel) = entry.path().strip_prefix(handbook) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !rel.ends_with(".md") {
            continue;
        }
        // Hugo's home page is content/_index.md.
        let target = if rel == "index.md" {
            content.join("_index.md")
        } else {
            content.join(&rel)
        };
        fs::create_dir_all(target.parent().expect("a file has a folder"))?;
        fs::copy(entry.path(), target)?;
    }
    fs::create_dir_all(site.join("data"))?;
    fs::copy(
        handbook.join("services.yaml"),
        site.join("data/services.yaml"),
    )?;
    fs::create_dir_all(site.join("static/static"))?;
    fs::write(
        site.join("static/static/handbook.css"),
        include_bytes!("../../themes/default/static/handbook.css"),
    )?;
    fs::write(site.join("config.toml"), CONFIG)?;
    for (name, text) in LAYOUTS {
        let path = site.join("layouts").join(name);
        fs::create_dir_all(path.parent().expect("a file has a folder"))?;
        fs::write(path, text)?;
    }
    Ok(())
}

const CONFIG: &str = r##"baseURL = "https://example.org/"
title = "Generated Academy mental health and wellbeing handbook"
languageCode = "en-GB"
relativeURLs = true
uglyURLs = true
disableKinds = ["taxonomy", "term", "RSS"]

[params]
school = "Generated Academy"
urgent_title = "Need help now?"
urgent_body = """
- **Someone is in danger now.** Call 999 or go to A&E.
- **You need help today.** Call NHS 111 and choose the mental health option.
- **You need to talk.** Childline, Shout and Samaritans listen for free, day and night.
"""
urgent_services = ["emergency-999", "nhs-111", "childline", "shout", "samaritans"]

[markup.tableOfContents]
startLevel = 2
endLevel = 3

[markup.goldmark.renderer]
unsafe = false
"##;

const LAYOUTS: [(&str, &str); 7] = [
    (
        "_default/baseof.html",
        r##"<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
{{ with .Params.summary }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "static/handbook.css" | relURL }}">
</head>
<body class="kind-{{ .Kind }}">
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
  <div class="wrap header-row"><a class="site-title" href="{{ "index.html" | relURL }}">{{ site.Title }}</a></div>
  <nav class="site-nav" id="site-nav" aria-label="Sections"><ul class="wrap">
  {{ $current := . }}{{ range site.Sections }}<li><a href="{{ .RelPermalink }}"{{ if or (eq $current .) ($current.IsDescendant .) }} aria-current="true"{{ end }}>{{ .Title }}</a></li>
  {{ end }}</ul></nav>
</header>
<div class="wrap">
  {{ partialCached "urgent.html" . }}
  {{ if not .IsHome }}<nav class="breadcrumb" id="breadcrumb" aria-label="Breadcrumb"><ol>{{ range .Ancestors.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}<li><span aria-current="page">{{ .Title }}</span></li></ol></nav>{{ end }}
  <div class="layout">
    <main id="main" tabindex="-1">{{ block "main" . }}{{ end }}</main>
    {{ block "aside" . }}{{ end }}
  </div>
  <nav class="pager" id="page-nav" aria-label="Previous and next pages">
    {{ with .PrevInSection }}<a class="pager-prev" rel="prev" href="{{ .RelPermalink }}"><span class="pager-label">Previous</span> {{ .Title }}</a>{{ end }}
    {{ with .NextInSection }}<a class="pager-next" rel="next" href="{{ .RelPermalink }}"><span class="pager-label">Next</span> {{ .Title }}</a>{{ end }}
  </nav>
</div>
<footer class="site-footer" id="footer"><div class="wrap"><p>{{ site.Params.school }}. Public edition.</p></div></footer>
</body>
</html>
"##,
    ),
    (
        "_default/single.html",
        r##"{{ define "main" }}<article class="page">
  <header class="page-header">
    <h1>{{ .Title }}</h1>
    {{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
    <p class="labels"><span class="labels-intro">For:</span> {{ range .Params.audience }}<span class="tag tag-{{ . }}">{{ . }}</span> {{ end }}</p>
  </header>
  <nav class="toc" id="toc" aria-labelledby="toc-title"><h2 id="toc-title">On this page</h2>{{ .TableOfContents }}</nav>
  <div class="content">{{ .Content }}</div>
  {{ with .Params.steps }}<ol class="steps">{{ range . }}<li id="{{ .id }}"><h3>{{ .title }}</h3>{{ with .who }}<p>{{ . }}</p>{{ end }}{{ with .do }}{{ . | markdownify }}{{ end }}</li>{{ end }}</ol>{{ end }}
  {{ with .Params.services }}<section class="page-services"><h2>Services that can help</h2><div class="service-grid">
  {{ range . }}{{ $id := . }}{{ range where site.Data.services.services "id" $id }}{{ partial "card.html" . }}{{ end }}{{ end }}
  </div></section>{{ end }}
  <footer class="page-meta" id="page-meta"><dl>
    {{ with .Params.owner }}<div><dt>Owner</dt><dd>{{ . }}</dd></div>{{ end }}
    {{ with .Params.last_reviewed }}<div><dt>Last reviewed</dt><dd><time datetime="{{ . }}">{{ . | time.Format "2 January 2006" }}</time></dd></div>{{ end }}
    {{ with .Params.review_by }}<div><dt>Next review by</dt><dd><time datetime="{{ . }}">{{ . | time.Format "2 January 2006" }}</time></dd></div>{{ end }}
    {{ with .Params.principles }}<div><dt>Whole-school approach</dt><dd>{{ delimit . "; " }}</dd></div>{{ end }}
  </dl></footer>
</article>{{ end }}
{{ define "aside" }}{{ with .CurrentSection }}<nav class="section-nav" id="section-nav" aria-label="In this section">
  <h2 class="section-nav-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
  <ul>{{ range first 30 .RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</nav>{{ end }}{{ end }}
"##,
    ),
    (
        "_default/list.html",
        r##"{{ define "main" }}<article class="section">
  <h1>{{ .Title }}</h1>
  {{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
  <div class="content">{{ .Content }}</div>
  {{ with .Sections }}<h2>Sections</h2><ul class="page-list">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}</li>{{ end }}</ul>{{ end }}
  {{ with .RegularPages }}<h2>Pages</h2><ul class="page-list">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}<p class="labels">{{ range .Params.audience }}<span class="tag tag-{{ . }}">{{ . }}</span> {{ end }}</p></li>{{ end }}</ul>{{ end }}
</article>{{ end }}
"##,
    ),
    (
        "404.html",
        r##"{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "index.html" | relURL }}">Go to the handbook's home page</a></p>{{ end }}
"##,
    ),
    (
        "partials/urgent.html",
        r##"<aside class="urgent-help" id="urgent-help" aria-labelledby="urgent-help-title">
  <h2 id="urgent-help-title">{{ site.Params.urgent_title }}</h2>
  {{ site.Params.urgent_body | markdownify }}
  <ul class="urgent-services">{{ range site.Params.urgent_services }}{{ $id := . }}{{ range where site.Data.services.services "id" $id }}<li>{{ partial "card.html" . }}</li>{{ end }}{{ end }}</ul>
</aside>
"##,
    ),
    (
        "partials/card.html",
        r##"<div class="service-card" id="service-{{ .id }}">
  <h3><a href="{{ printf "services/%s.html" .id | relURL }}">{{ .name }}</a></h3>
  {{ with .organisation }}<p class="organisation">{{ . }}</p>{{ end }}
  {{ with .description }}{{ . | markdownify }}{{ end }}
  <ul class="contacts">
  {{ with .contact.phone }}<li><a href="tel:{{ replace . " " "" }}">Call {{ . }}</a></li>{{ end }}
  {{ with .contact.text }}<li><a href="sms:{{ replace . " " "" }}">Text {{ . }}</a></li>{{ end }}
  {{ with .contact.email }}<li><a href="mailto:{{ . }}">Email {{ . }}</a></li>{{ end }}
  {{ with .contact.website }}<li><a href="{{ . }}">Website</a></li>{{ end }}
  {{ with .contact.webchat }}<li><a href="{{ . }}">Web chat</a></li>{{ end }}
  </ul>
  {{ with .hours }}<p>{{ . }}</p>{{ end }}{{ with .cost }}<p>{{ . }}</p>{{ end }}
</div>
"##,
    ),
    (
        "_default/_markup/render-link.html",
        r##"{{ $u := urls.Parse .Destination }}{{ $href := .Destination }}{{ if and (not $u.IsAbs) (strings.HasSuffix $u.Path ".md") }}{{ with $.Page.GetPage $u.Path }}{{ $href = .RelPermalink }}{{ with $u.Fragment }}{{ $href = printf "%s#%s" $href . }}{{ end }}{{ end }}{{ end }}<a href="{{ $href | safeURL }}"{{ with .Title }} title="{{ . }}"{{ end }}>{{ .Text | safeHTML }}</a>"##,
    ),
];
