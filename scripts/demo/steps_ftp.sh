# The file-transfer lesson's steps (crates/ftp/examples/ftp_*), sourced by
# scripts/demo.sh: `steps_ftp` runs them before the hardened ftp.

steps_ftp() {
    heading "ftp · file transfer, step by step (examples/ftp_*)"
    local here="$WORK/steps_ftp_local" root="$WORK/steps_ftp_root" got="$WORK/steps_ftp_got"
    mkdir -p "$here" "$got"
    seq 1 4000 >"$here/notes.txt" # 18893 bytes

    step "ftp_1_server DIR and ftp_1_client: put FILE sends the 4-byte length, the JSON header, the bytes" \
         "the client and the server print their running totals; no reply; md5sum of the two files is the same"
    start_step ftp_1_server 0 "$root"
    step_client "put $here/notes.txt\n" ftp_1_client "$PORT" || fail "ftp_1_client failed"
    expect_output "upload successful"
    await_server_output "18893"
    steps_ftp_same_md5 "$here/notes.txt" "$root/notes.txt"
    kill_step

    step "ftp_2_base64_server notes.txt and ftp_2_base64_client: the whole file as one JSON text, base64 inside" \
         "the text starts {\"filename\": \"notes.txt\", \"filedata\": \"MQoyCjMK...; the server's close ends it"
    start_step ftp_2_base64_server 0 "$here/notes.txt"
    local conn
    exec {conn}<"/dev/tcp/127.0.0.1/$PORT"
    echo "wire| $(head -c 60 <&"$conn")..."
    exec {conn}<&-
    step_client "" ftp_2_base64_client "$PORT" "$got" || fail "ftp_2_base64_client failed"
    expect_output "图片已保存."
    steps_ftp_same_md5 "$here/notes.txt" "$got/notes.txt"
    kill_step
}

# steps_ftp_same_md5 SENT ARRIVED: waits (at most 10 s) for ARRIVED, shows
# md5sum of both and fails unless they are the same.
steps_ftp_same_md5() {
    for _ in $(seq 200); do
        [[ -f "$2" ]] && break
        sleep 0.05
    done
    [[ -f "$2" ]] || fail "no $2"
    md5sum "$1" "$2" | sed 's/^/md5sum| /'
    [[ $(md5sum <"$1") == $(md5sum <"$2") ]] || fail "the md5 differs"
}
