//! Avatars (CONTRACT §14): one image per user, whose type is told by its content.

/// The largest avatar, in bytes: 5 MiB.
pub const MOST_BYTES: usize = 5 * 1024 * 1024;

/// The image types an avatar may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Image {
    Png,
    Jpeg,
    Gif,
    Webp,
}

const ALL: [Image; 4] = [Image::Png, Image::Jpeg, Image::Gif, Image::Webp];

impl Image {
    pub fn media_type(self) -> &'static str {
        match self {
            Image::Png => "image/png",
            Image::Jpeg => "image/jpeg",
            Image::Gif => "image/gif",
            Image::Webp => "image/webp",
        }
    }

    /// The type a declared media type (without parameters, lowercased) names, if allowed.
    pub fn declared(media: &str) -> Option<Image> {
        ALL.into_iter().find(|i| i.media_type() == media)
    }

    /// The type the first bytes of `content` show (its magic number), if allowed.
    pub fn sniff(content: &[u8]) -> Option<Image> {
        match content {
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Image::Png),
            [0xFF, 0xD8, 0xFF, ..] => Some(Image::Jpeg),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Image::Gif),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some(Image::Webp),
            _ => None,
        }
    }

    /// The tag an avatar is stored with.
    pub fn tag(self) -> u8 {
        self as u8
    }

    pub fn from_tag(tag: u8) -> Option<Image> {
        ALL.into_iter().find(|i| i.tag() == tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_tells_the_type() {
        assert_eq!(
            Image::sniff(&[0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0]),
            Some(Image::Png)
        );
        assert_eq!(Image::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Image::Jpeg));
        assert_eq!(Image::sniff(b"GIF89a..."), Some(Image::Gif));
        assert_eq!(Image::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Image::Webp));
        assert_eq!(
            Image::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            None
        );
        assert_eq!(Image::sniff(b"%PDF-1.7"), None);
        assert_eq!(Image::sniff(b""), None);
        assert_eq!(Image::declared("image/svg+xml"), None);
        assert_eq!(Image::from_tag(Image::Webp.tag()), Some(Image::Webp));
    }
}
