/** The shells `velos completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/**
 * The completion script of `shell`. Each asks `velos __complete <index> <words…>` (the words after
 * `velos`, the one under the cursor at `index`) for the candidates, one per line; a line `:files`
 * asks for the shell's own file-name completion too. The shell filters them by what is typed, and
 * puts no space after a word that ends in `=` or `.` (`max_memory=`, `env.`): its value follows.
 */
export function completionScript(shell: CompletionShell): string {
  return SCRIPTS[shell];
}

const BASH = `# velos completion for bash: add to ~/.bashrc
#   source <(velos completion bash)
_velos_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} IFS=$'\\n' word files=0
  local -a found words=()
  found=($(velos __complete "$((COMP_CWORD - 1))" "\${COMP_WORDS[@]:1}" 2>/dev/null)) || return 0
  for word in "\${found[@]}"; do
    if [[ $word == ':files' ]]; then files=1; else words+=("$word"); fi
  done
  COMPREPLY=($(compgen -W "\${words[*]}" -- "$cur"))
  if ((files)); then
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -f -- "$cur"))
  elif [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == *[=.] ]]; then
    compopt -o nospace 2>/dev/null
  fi
  return 0
}
complete -F _velos_complete velos
`;

const ZSH = `# velos completion for zsh: add to ~/.zshrc (after compinit)
#   source <(velos completion zsh)
if (( ! $+functions[compdef] )); then
  print -u2 'velos completion: compdef is not defined: run "autoload -Uz compinit && compinit" first (in ~/.zshrc, before this)'
  return 1
fi
_velos_complete() {
  local -a found open
  found=("\${(@f)$(velos __complete $((CURRENT - 2)) "\${(@)words[2,-1]}" 2>/dev/null)}")
  local files=\${found[(I):files]}
  found=(\${\${found:#}:#:files})
  open=(\${(M)found:#*[=.]})
  compadd -Q -- "\${(@)found:#*[=.]}"
  (( \${#open} )) && compadd -Q -S '' -- "\${open[@]}"
  (( files )) && _files
  return 0
}
compdef _velos_complete velos
`;

const FISH = `# velos completion for fish: save as ~/.config/fish/completions/velos.fish
#   velos completion fish > ~/.config/fish/completions/velos.fish
function __velos_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l current (commandline -ct)
    for word in (velos __complete (count $words) $words $current 2>/dev/null)
        if test "$word" = ':files'
            __fish_complete_path $current
        else
            printf '%s\\n' $word
        end
    end
end
complete -c velos -f -a '(__velos_complete)'
`;

const SCRIPTS: Record<CompletionShell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
