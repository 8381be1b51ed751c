// libFuzzer target: BuildKit shell-word expansion. The first byte picks the lexer options and the escape
// token; the rest is the word. A few variables are set so that ${a:-...}, ${a:+...}, ${#a} and patterns
// have something to work on.

#include "model/shell/shelllexer.h"

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t flags = data[0];
    ShellLexer lexer((flags & 0x10) ? QLatin1Char('`') : QLatin1Char('\\'));
    lexer.setRawQuotes(flags & 0x01);
    lexer.setRawEscapes(flags & 0x02);
    lexer.setSkipProcessQuotes(flags & 0x04);
    lexer.setSkipUnsetEnv(flags & 0x08);

    const QString word = QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const ShellEnvironment env {{QStringLiteral("a"), QStringLiteral("x y")},
        {QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin")}, {QStringLiteral("empty"), QString()},
        {QStringLiteral("v"), QStringLiteral("1.2.3-rc1")}};
    const ShellWordResult one = lexer.processWord(word, env);
    const ShellWordResult many = lexer.processWords(word, env);
    (void)goQuote(word);
    return (one.result.size() < 0 || many.words.size() < 0) ? 1 : 0;
}
