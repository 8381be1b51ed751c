zeta omega omega delta gamma sigma gamma lambda
