//! The demo's one-file HTML page: every capability's input beside its
//! output, images embedded so the page works offline.

use base64::Engine as _;

/// One image shown on the page, PNG- or JPEG-encoded.
pub struct Picture {
    /// Caption under the image.
    pub caption: String,
    /// The encoded image bytes.
    pub bytes: Vec<u8>,
    /// `image/png` or `image/jpeg`.
    pub mime: &'static str,
}

/// One capability's part of the page: a title, a line of what was done and
/// measured, and pictures shown side by side.
pub struct Section {
    /// Heading, e.g. "Upscaling".
    pub title: String,
    /// Plain-text lines under the heading (escaped when written).
    pub lines: Vec<String>,
    /// Images in a row, input first.
    pub pictures: Vec<Picture>,
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The whole page as one HTML document.
pub fn render(title: &str, sections: &[Section]) -> String {
    let mut html = String::new();
    html.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    html.push_str(&format!("<title>{}</title>\n", escape(title)));
    html.push_str(
        "<style>\
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1400px;padding:0 1rem;color:#222}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.5rem;border-bottom:1px solid #ddd}\
.row{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}\
figure{margin:0;flex:1 1 300px;max-width:100%}figure:only-child{max-width:900px}\
img{width:100%;height:auto;image-rendering:auto;border:1px solid #ccc}\
figcaption{font-size:.9rem;color:#555;margin-top:.3rem}\
p{margin:.3rem 0}</style>\n</head><body>\n",
    );
    html.push_str(&format!("<h1>{}</h1>\n", escape(title)));
    for section in sections {
        html.push_str(&format!("<h2>{}</h2>\n", escape(&section.title)));
        for line in &section.lines {
            html.push_str(&format!("<p>{}</p>\n", escape(line)));
        }
        html.push_str("<div class=\"row\">\n");
        for picture in &section.pictures {
            let data = base64::engine::general_purpose::STANDARD.encode(&picture.bytes);
            html.push_str(&format!(
                "<figure><img alt=\"{caption}\" src=\"data:{mime};base64,{data}\">\
<figcaption>{caption}</figcaption></figure>\n",
                caption = escape(&picture.caption),
                mime = picture.mime,
            ));
        }
        html.push_str("</div>\n");
    }
    html.push_str("</body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_embeds_its_images_and_escapes_text() {
        let page = render(
            "seer <demo>",
            &[Section {
                title: "Faces & names".into(),
                lines: vec!["3 faces".into()],
                pictures: vec![Picture {
                    caption: "drawn".into(),
                    bytes: vec![1, 2, 3],
                    mime: "image/png",
                }],
            }],
        );
        assert!(page.contains("<title>seer &lt;demo&gt;</title>"));
        assert!(page.contains("Faces &amp; names"));
        assert!(page.contains("src=\"data:image/png;base64,AQID\""));
        assert!(!page.contains("http"), "the page must not load anything");
    }
}
