# bash completion for treadmillctl: global options, commands, program ids (from
# `treadmillctl programs`), files for validate/show/start, and each command's options.
_treadmillctl() {
    local cur prev words cword
    _init_completion 2>/dev/null || {
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    }
    local commands="programs show validate start pause resume stop skip speed incline estop reset status watch service metrics sim pair history bests progress export profile help"
    local globals="--socket --json --programs-dir --help"

    case $prev in
        --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --programs-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --profile|--svg) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --pace|--seed) return ;;
        --format) COMPREPLY=($(compgen -W "fit tcx csv laps-csv" -- "$cur")); return ;;
        -o) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac

    # The command is the first word that is neither an option nor an option's value.
    local i command=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --socket|--programs-dir|--profile|--svg|--pace|--seed|--format|-o) ((i++)) ;;
            -*) ;;
            *) command=${words[i]}; break ;;
        esac
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$globals" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    case $command in
        show|start)
            if [[ $cur == -* ]]; then
                local opts="--pace $globals"
                [[ $command == show ]] && opts="--profile --pace --seed --svg $globals"
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            else
                local ids
                ids=$(treadmillctl programs 2>/dev/null | awk 'NR > 1 {print $1}')
                COMPREPLY=($(compgen -W "$ids" -- "$cur") $(compgen -f -X '!*.y*ml' -- "$cur"))
            fi
            ;;
        export) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--format -o --force $globals" -- "$cur")) ;;
        profile) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--yes $globals" -- "$cur")); else COMPREPLY=($(compgen -W "update-from-mile" -- "$cur")); fi ;;
        bests|progress) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--all --svg $globals" -- "$cur")) ;;
        validate) COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur") $(compgen -d -- "$cur")) ;;
        *) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$globals" -- "$cur")) ;;
    esac
}
complete -F _treadmillctl treadmillctl
