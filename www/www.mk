# The web UI: www/ -> $(BUILD)/www/, with hls.js from npm (never from git)
# and a precompressed .gz beside every file for civetweb to send as is.

WWW_OUT := $(BUILD)/www
WWW_UI := www/index.html $(sort $(wildcard www/css/*.css)) $(sort $(wildcard www/js/*.js))
WWW_UI_OUT := $(WWW_UI:www/%=$(WWW_OUT)/%)
WWW_HLS := $(WWW_OUT)/vendor/hls.min.js
WWW_ALL := $(WWW_UI_OUT) $(WWW_HLS)
WWW_MODULES := www/node_modules/.package-lock.json

.PHONY: www www-deps www-modules
www: $(WWW_ALL) $(WWW_ALL:%=%.gz)
	@ui=$$(cat $(WWW_UI_OUT) | wc -c); gz=$$(cat $(WWW_UI_OUT:%=%.gz) | wc -c); \
		echo "www: UI payload $$ui bytes ($$gz gzipped) without hls.js, in $(WWW_OUT)/"; \
		if [ $$ui -ge 102400 ]; then echo "www: the UI is over its 100 KB budget" >&2; exit 1; fi

# The browser tests need the built UI; eslint comes with the npm install.
test: www

.PHONY: lint
lint: | www-modules
	$(Q)www/node_modules/.bin/eslint -c eslint.config.mjs www/js eslint.config.mjs tests tools

www-deps:
	$(Q)tools/deps.sh www

# A shell test, not a make rule: the top Makefile marks every target
# .SECONDARY, and make would then skip a missing node_modules whose
# dependents are up to date. npm ci rewrites node_modules/.package-lock.json;
# it is touched so its age says when the install happened.
www-modules: | www-deps
	$(Q)if [ ! -f $(WWW_MODULES) ] || [ www/package-lock.json -nt $(WWW_MODULES) ] || \
		[ www/package.json -nt $(WWW_MODULES) ]; then \
		echo "www: npm ci (www/node_modules is missing or older than package-lock.json)"; \
		(cd www && npm ci --no-audit --no-fund --loglevel=error) && touch $(WWW_MODULES); \
	fi

$(WWW_MODULES): | www-modules ;

# Scripts ship without their comment lines and indentation (a fifth of
# their bytes). Safe because no string in www/js spans lines (eslint's
# no-multi-str and the template-literal check in tests/www keep it so).
$(filter %.js,$(WWW_UI_OUT)): $(WWW_OUT)/%: www/%
	@mkdir -p $(dir $@)
	$(Q)sed -e '/^[[:space:]]*\/\//d' -e 's/^[[:space:]]*//' $< > $@

# The page and the style sheet ship without their indentation (and the
# style sheet without its one-line comments). Safe: CSS has no line-spanning
# strings and collapses whitespace; in the page no attribute value spans lines
# and the only <pre> is empty (the HTML test in tests/www keeps it so), so a
# line's leading blanks were whitespace the layout already collapses to the
# newline kept before them.
$(filter %.css,$(WWW_UI_OUT)): $(WWW_OUT)/%: www/%
	@mkdir -p $(dir $@)
	$(Q)sed -e '/^[[:space:]]*\/\*.*\*\/[[:space:]]*$$/d' -e 's/^[[:space:]]*//' $< > $@

$(filter %.html,$(WWW_UI_OUT)): $(WWW_OUT)/%: www/%
	@mkdir -p $(dir $@)
	$(Q)sed -e 's/^[[:space:]]*//' $< > $@

$(WWW_HLS): $(WWW_MODULES)
	@mkdir -p $(dir $@)
	$(Q)cp www/node_modules/hls.js/dist/hls.min.js $@

$(WWW_ALL:%=%.gz): %.gz: %
	$(Q)gzip -9 -k -n -f $<
