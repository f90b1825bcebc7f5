//! Network interface names and indexes: `if_nametoindex(3)`, `if_indextoname(3)` and
//! `if_nameindex(3)`.

use std::ffi::CStr;

use super::Errno;

/// `if_nametoindex(name)`: the index, `0` when there is no such interface (the call does
/// not set `errno`).
pub fn if_nametoindex(name: &CStr) -> u32 {
    // SAFETY: `name` is a NUL-terminated string; the call only reads it.
    unsafe { libc::if_nametoindex(name.as_ptr()) }
}

/// `if_indextoname(index)`: the interface's name, or the call's errno (`ENXIO` for an
/// unknown index).
pub fn if_indextoname(index: u32) -> Result<Vec<u8>, Errno> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE + 1];
    // SAFETY: `buf` has room for `IF_NAMESIZE` bytes and the terminating NUL, which is
    // what the call may write.
    let rc = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if rc.is_null() {
        return Err(Errno::from(std::io::Error::last_os_error()));
    }
    // SAFETY: on success `buf` holds a NUL-terminated name.
    Ok(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes().to_vec())
}

/// `if_nameindex()`: every interface as `(index, name)`, in the C library's order.
pub fn if_nameindex() -> Result<Vec<(u32, Vec<u8>)>, Errno> {
    // SAFETY: a plain call; the result is freed below with `if_freenameindex`.
    let list = unsafe { libc::if_nameindex() };
    if list.is_null() {
        return Err(Errno::from(std::io::Error::last_os_error()));
    }
    let mut out = Vec::new();
    let mut cur = list;
    loop {
        // SAFETY: `cur` points into the array `if_nameindex` returned, which ends with
        // an entry of index 0 and a null name; we stop there.
        let entry = unsafe { &*cur };
        if entry.if_index == 0 && entry.if_name.is_null() {
            break;
        }
        let name = if entry.if_name.is_null() {
            Vec::new()
        } else {
            // SAFETY: a non-null `if_name` is a NUL-terminated string owned by the list.
            unsafe { CStr::from_ptr(entry.if_name) }.to_bytes().to_vec()
        };
        out.push((entry.if_index, name));
        // SAFETY: the terminating entry has not been reached, so the next one exists.
        cur = unsafe { cur.add(1) };
    }
    // SAFETY: `list` came from `if_nameindex` and is freed exactly once; nothing
    // borrowed from it is used afterwards.
    unsafe { libc::if_freenameindex(list) };
    Ok(out)
}
