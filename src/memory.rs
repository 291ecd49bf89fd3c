//! How the process takes memory from the kernel, chosen by the size of the
//! handbook it builds.

/// Pages from which a build runs without transparent huge pages.
pub const LARGE: usize = 2_500;

/// Whether a build of `pages` pages should keep transparent huge pages,
/// given the `MIMALLOC_ALLOW_THP` setting if there is one (then the
/// allocator's setting is left as it is, which lets the two be compared).
pub fn keeps_huge_pages(pages: usize, allow_thp: Option<&std::ffi::OsStr>) -> bool {
    allow_thp.is_some() || pages < LARGE
}

/// Turns transparent huge pages off for the rest of the run when the
/// handbook is large (called before any page is read).
///
/// The allocator asks for 2 MB pages. A build needs memory about eight
/// times its Markdown (45 KB a page), touches most of it once and then
/// exits. A small build needs a few dozen huge pages, and they save it
/// time: without them a 1,000-page build took 9% more CPU time on the
/// benchmark's two-core machine. A large build needs hundreds. That
/// machine is a virtual machine that hands the memory its programs free
/// back to the host, and zeroing fresh huge pages there ran at about a
/// twentieth of the usual speed: at 10,000 pages it cost 0.5 to 1.2 s of
/// system time per build.
/// Without huge pages that build took 10 to 15% less time and 10% less
/// memory; at 3,000 pages it took 6% less CPU time.
pub fn fit_to(pages: usize) {
    if keeps_huge_pages(pages, std::env::var_os("MIMALLOC_ALLOW_THP").as_deref()) {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE sets a flag on this process, which the
    // kernel reads when it next maps memory for it; no memory is touched.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_large_handbook_goes_without_huge_pages() {
        assert!(keeps_huge_pages(0, None));
        assert!(keeps_huge_pages(LARGE - 1, None));
        assert!(!keeps_huge_pages(LARGE, None));
        assert!(!keeps_huge_pages(100 * LARGE, None));
        // The allocator's own setting, when given, is left to it.
        assert!(keeps_huge_pages(100 * LARGE, Some("1".as_ref())));
        assert!(keeps_huge_pages(100 * LARGE, Some("0".as_ref())));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_large_handbook_turns_huge_pages_off_for_the_process() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            return;
        }
        fit_to(LARGE);
        // SAFETY: PR_GET_THP_DISABLE only reads the process's flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
