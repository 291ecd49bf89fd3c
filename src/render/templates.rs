//! The theme's Tera templates, compiled once per build.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::load::Theme;

pub struct Templates {
    tera: tera::Tera,
    origin: String,
}

impl Templates {
    pub fn new(theme: &Theme) -> Result<Templates, Diagnostic> {
        let origin = match &theme.dir {
            Some(dir) => dir.join("templates").display().to_string(),
            None => "(built-in theme)/templates".into(),
        };
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str())),
        )
        .map_err(|e| template_error(&origin, &e))?;
        Ok(Templates { tera, origin })
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, Diagnostic> {
        self.render_with(name, context, &[])
    }

    /// `render`, with some of the context's keys replaced by values already
    /// made for Tera (shared between pages, so not converted for each one).
    pub fn render_with(
        &self,
        name: &str,
        context: &impl Serialize,
        made: &[(&'static str, tera::Value)],
    ) -> Result<String, Diagnostic> {
        let bytes = self.render_bytes(name, context, made, 0)?;
        Ok(String::from_utf8(bytes).expect("templates and values are UTF-8"))
    }

    /// `render_with`, as bytes, into a buffer of `capacity` bytes to start
    /// with (a page's size is known roughly in advance).
    pub fn render_bytes(
        &self,
        name: &str,
        context: &impl Serialize,
        made: &[(&'static str, tera::Value)],
        capacity: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut context =
            tera::Context::from_serialize(context).map_err(|e| template_error(&self.origin, &e))?;
        for (key, value) in made {
            context.insert_value(*key, value.clone());
        }
        self.render_context(name, &context, capacity)
    }

    /// Renders a context already made for Tera, into a buffer of `capacity`
    /// bytes to start with.
    pub fn render_context(
        &self,
        name: &str,
        context: &tera::Context,
        capacity: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(capacity);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| template_error(&format!("{}/{name}", self.origin), &e))?;
        Ok(out)
    }
}

fn template_error(origin: &str, err: &tera::Error) -> Diagnostic {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    Diagnostic::error(origin, 0, 0, format!("template error: {message}")).with_hint(
        "check the template's syntax; delete your copy to fall back to the default theme's",
    )
}
