//! Network interface names and indexes through the IP helper API (`iphlpapi`):
//! `if_nametoindex`, `if_indextoname`, and for `socket.if_nameindex` CPython's
//! `GetIfTable2Ex(MibIfTableRaw)` with `ConvertInterfaceLuidToNameW` for each row.

use std::ffi::CStr;

use windows_sys::Win32::NetworkManagement::IpHelper as iph;
use windows_sys::Win32::NetworkManagement::Ndis::IF_MAX_STRING_SIZE;

use super::Errno;
use super::file::{crt_errno, set_crt_errno};

/// `if_nametoindex(name)`: the index, `0` when there is no such interface.
pub fn if_nametoindex(name: &CStr) -> u32 {
    // SAFETY: `name` is a NUL-terminated string; the call only reads it.
    unsafe { iph::if_nametoindex(name.as_ptr().cast()) }
}

/// `if_indextoname(index)`: the interface's name, or the C `errno` CPython reports
/// (`PyErr_SetFromErrno`), which the IP helper API does not set (cleared first, so 0).
pub fn if_indextoname(index: u32) -> Result<Vec<u8>, Errno> {
    // `netioapi.h`: IF_NAMESIZE is NDIS_IF_MAX_STRING_SIZE (IF_MAX_STRING_SIZE); CPython's
    // buffer is IF_NAMESIZE + 1 bytes.
    let mut buf = [0u8; IF_MAX_STRING_SIZE as usize + 1];
    set_crt_errno(0);
    // SAFETY: `buf` has room for `IF_NAMESIZE` bytes and the terminating NUL, which is
    // what the call may write.
    let rc = unsafe { iph::if_indextoname(index, buf.as_mut_ptr()) };
    if rc.is_null() {
        return Err(Errno(crt_errno()));
    }
    let name = CStr::from_bytes_until_nul(&buf).map_err(|_| Errno(libc::EINVAL))?;
    Ok(name.to_bytes().to_vec())
}

/// `if_nameindex()` as CPython builds it on Windows: every row of
/// `GetIfTable2Ex(MibIfTableRaw)` as `(InterfaceIndex, name)`, the name from
/// `ConvertInterfaceLuidToNameW` (UTF-16, returned as UTF-8). A failing call's Win32
/// error code is returned (`PyErr_SetFromWindowsErr(ret)`).
pub fn if_nameindex() -> Result<Vec<(u32, Vec<u8>)>, Errno> {
    let mut table: *mut iph::MIB_IF_TABLE2 = std::ptr::null_mut();
    // SAFETY: `table` is a valid out-pointer; on success it points to a table the API
    // allocated, freed below with `FreeMibTable`.
    let ret = unsafe { iph::GetIfTable2Ex(iph::MibIfTableRaw, &mut table) };
    if ret != 0 {
        return Err(Errno(ret as i32));
    }
    let mut out = Vec::new();
    let mut failed = None;
    // SAFETY: the table holds `NumEntries` rows starting at `Table` (a C flexible
    // array), valid until `FreeMibTable`.
    let rows = unsafe {
        std::slice::from_raw_parts(
            (&raw const (*table).Table).cast::<iph::MIB_IF_ROW2>(),
            (*table).NumEntries as usize,
        )
    };
    for row in rows {
        let mut name = [0u16; IF_MAX_STRING_SIZE as usize + 1];
        // SAFETY: `name` is writable for the length passed (in code units); the LUID is
        // read from a live row.
        let ret = unsafe {
            iph::ConvertInterfaceLuidToNameW(&row.InterfaceLuid, name.as_mut_ptr(), name.len())
        };
        if ret != 0 {
            failed = Some(Errno(ret as i32));
            break;
        }
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        out.push((
            row.InterfaceIndex,
            String::from_utf16_lossy(&name[..end]).into_bytes(),
        ));
    }
    // SAFETY: `table` came from `GetIfTable2Ex` and is freed exactly once; nothing
    // borrowed from it (`rows`) is used afterwards.
    unsafe { iph::FreeMibTable(table.cast()) };
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
