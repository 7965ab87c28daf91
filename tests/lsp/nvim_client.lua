-- tests/lsp/nvim_client.lua: Neovim's built-in LSP client against `casex lsp`
-- (run by nvim_test.sh, headless). Opens validation.yaml of a copy of rules/,
-- types a broken condition, and asserts the diagnostic, a hover text and a
-- completion item. Exits 0 when all hold, else prints why and exits 1.
-- Written for Neovim 0.7 (Debian 12) and later: start_client + buf_attach_client.
local casex = assert(os.getenv("CASEX"), "CASEX is not set")
local dir = assert(os.getenv("RULES_DIR"), "RULES_DIR is not set")

local function check()
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/validation.yaml"))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({ name = "casex", cmd = { casex, "lsp" }, root_dir = dir })
  assert(id, "the client did not start")
  assert(vim.lsp.buf_attach_client(buf, id), "the client did not attach")
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(10000, function()
    return client.initialized or (client.server_capabilities and next(client.server_capabilities) ~= nil)
  end, 20), "the server did not answer initialize")

  -- The opened file is clean.
  assert(vim.wait(10000, function()
    return #vim.diagnostic.get(buf) == 0
  end, 20))

  -- Type a broken condition on line 11: a misspelled field.
  vim.api.nvim_buf_set_lines(buf, 10, 11, false,
    { '      when: changed(completon_code) and after.completion_code == "WithdrawnbyUser"' })
  local found
  assert(vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.message:find('unknown field "completon_code"', 1, true) then
        found = d
        return true
      end
    end
    return false
  end, 20), "no unknown-field diagnostic after typing a misspelled field")
  assert(found.lnum == 10 and found.col == 20 and found.end_col == 34,
    string.format("diagnostic at %d:%d-%d, expected 10:20-34", found.lnum, found.col, found.end_col))
  assert(found.severity == vim.diagnostic.severity.ERROR, "the diagnostic is not an error")

  -- Hover on changed( : the function's signature.
  local uri = vim.uri_from_bufnr(buf)
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover",
    { textDocument = { uri = uri }, position = { line = 10, character = 14 } }, 10000)
  local text = hover and hover[id] and hover[id].result and hover[id].result.contents.value or ""
  assert(text:find("changed(field) -> boolean", 1, true), "hover text: " .. text)

  -- Completion after "after.": the fields of the vocabulary.
  local completion = vim.lsp.buf_request_sync(buf, "textDocument/completion",
    { textDocument = { uri = uri }, position = { line = 10, character = 46 } }, 10000)
  local items = completion and completion[id] and completion[id].result or {}
  local labels = {}
  for _, item in ipairs(items.items or items) do
    table.insert(labels, item.label)
  end
  assert(vim.tbl_contains(labels, "completion_code"),
    "completion items: " .. table.concat(labels, ", "))

  vim.lsp.stop_client(id)
end

local ok, err = pcall(check)
if ok then
  io.stdout:write("nvim: diagnostic, hover and completion from casex lsp as expected\n")
  vim.cmd("qall!")
else
  io.stderr:write("nvim test failed: " .. tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
