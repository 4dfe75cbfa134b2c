# The fixed-length header lesson's steps (crates/struct_header/examples),
# sourced by scripts/demo.sh: `steps_struct_header` runs them before the
# hardened struct_header. Neither step uses the network.

steps_struct_header() {
    heading "struct · a fixed-length header, step by step (examples/struct_*)"
    local out status

    step "struct_1_pack 12 -1 2147483647 2147483648: struct.pack('i', n), then one number too many" \
         "always 4 bytes, little-endian; 2147483648 is the lesson's struct.error, which ends the program (exit 1)"
    status=0
    out=$(timeout 10 "$EX/struct_1_pack" 12 -1 2147483647 2147483648 2>&1) || status=$?
    sed 's/^/  /' <<<"$out"
    [[ $status -eq 1 ]] || fail "expected exit status 1, got $status"
    grep -qF "l = struct.pack('i', 12) → b'\\x0c\\x00\\x00\\x00'" <<<"$out" || fail "wrong bytes for 12"
    grep -qF "struct.error: 'i' format requires -2147483648 <= number <= 2147483647" <<<"$out" \
        || fail "not the lesson's struct.error"

    step "struct_2_json_header: the lesson's header for a 1 TB file, as json.dumps spells it" \
         "104 bytes of JSON behind b'h\\x00\\x00\\x00'; the size itself does not fit 'i'; the receiver reads it back"
    out=$(timeout 10 "$EX/struct_2_json_header") || fail "struct_2_json_header failed"
    sed 's/^/  /' <<<"$out"
    grep -qF 'head_bytes = {"file_size": 1073741824000, "file_name": "/a/b/c/d/e/a.txt", "md5": ' <<<"$out" \
        || fail "not json.dumps' spelling of the lesson's header"
    grep -qF "head_len_bytes = b'h\\x00\\x00\\x00'" <<<"$out" || fail "wrong header length"
    grep -qF "收到报头的长度 104, file_size 1073741824000" <<<"$out" || fail "the receiver did not read it back"
}
