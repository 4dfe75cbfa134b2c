# The web-server lab's steps (crates/web_server/examples), sourced by
# scripts/demo.sh: `steps_web_server` runs them before the hardened web_server.

steps_web_server() {
    heading "Web server lab, step by step (examples/web_*)"
    STEPS_WWW="$WORK/steps_www"
    mkdir -p "$STEPS_WWW"
    printf '<head>Hello world!</head>\n' >"$STEPS_WWW/HelloWorld.html"
    printf 'not for the web\n' >"$WORK/steps_secret.txt"
    local url
    echo "  The servers run in a directory holding the lab's HelloWorld.html, and"
    echo "  steps_secret.txt lies beside that directory."

    step "web_1_lab_server: the lab's WebServer.py; web_3_client fetches /HelloWorld.html and /abc.html" \
         "printed as Python's print(data): the lab's space before HTTP/1.1, its bare \\n, and a 404 that is a status line alone"
    steps_web_server_start web_1_lab_server
    url="http://127.0.0.1:$PORT"
    step_client "" web_3_client "$url/HelloWorld.html" || fail "web_3_client failed"
    expect_output "b' HTTP/1.1 200 OK\\nConnection: close\\nContent-Type: text/html\\nContent-Length: 26\\n\\n<head>Hello world!</head>\\n'"
    step_client "" web_3_client "$url/abc.html" || fail "web_3_client failed"
    expect_output "b' HTTP/1.1 404 not Found'"

    step "web_1_lab_server: an empty connection, then GET /../steps_secret.txt sent raw" \
         "the lab dies of IndexError on the first and sends the file beside its directory for the second; here: nothing, then the 404"
    local conn reply
    exec {conn}<>"/dev/tcp/127.0.0.1/$PORT"
    exec {conn}>&-
    echo "raw| (connected and closed, sending nothing)"
    exec {conn}<>"/dev/tcp/127.0.0.1/$PORT"
    # One write(): the lab's server takes one recv(), and a request that came
    # in two pieces would leave bytes unread, so its close would be a reset.
    local request=$'GET /../steps_secret.txt HTTP/1.1\r\n\r\n'
    printf '%s' "$request" >&"$conn"
    reply=$(cat <&"$conn")
    exec {conn}>&-
    echo "raw| $reply"
    [[ $reply == " HTTP/1.1 404 not Found" ]] || fail "expected the lab's 404"

    step "web_1_lab_server: one request at a time; a client connects and sends nothing" \
         "web_3_client gets no answer while it is connected (given up after 1 s here); served at last, it has gone: an error line, not a crash"
    exec {conn}<>"/dev/tcp/127.0.0.1/$PORT"
    local status=0
    run_client "" timeout 1 "$EX/web_3_client" "$url/HelloWorld.html" || status=$?
    [[ $status -eq 124 ]] || fail "web_1 answered while busy (status $status)"
    echo "client| (no answer within 1 s: the server waits for the silent client's request)"
    exec {conn}>&-
    kill_step

    step "web_2_threaded_server: a thread per request, the same silent client" \
         "web_3_client gets the page at once; the server prints 开始WEB服务... for each connection it accepted"
    steps_web_server_start web_2_threaded_server
    exec {conn}<>"/dev/tcp/127.0.0.1/$PORT"
    step_client "" web_3_client "http://127.0.0.1:$PORT/HelloWorld.html" || fail "web_3_client failed"
    expect_output "<head>Hello world!</head>"
    exec {conn}>&-
    kill_step
}

# steps_web_server_start NAME: the step NAME on a free port, run in $STEPS_WWW
# (the lab's server serves its current directory).
steps_web_server_start() {
    launch_server "$1" env -C "$STEPS_WWW" "$(realpath "$EX/$1")" 0
}
